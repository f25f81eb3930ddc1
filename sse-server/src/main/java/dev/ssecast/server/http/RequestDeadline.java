package dev.ssecast.server.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * {@code --request-timeout}: a request must arrive whole (head and body) within the timeout of the accept, or of
 * the end of the previous response; reads do not move the deadline, so a client trickling a byte at a time gains
 * nothing. Past it the client gets 408 and a lingering close, and what it sends after is discarded. The same
 * deadline closes an idle keep-alive connection, and bounds the rest of a body the router refused on its head.
 * Sits between the codec and the router; leaves with them when the connection becomes a stream. Single thread:
 * the channel's event loop.
 */
final class RequestDeadline extends ChannelDuplexHandler {
    static final String NAME = "request-deadline";

    private final long timeoutNanos;
    private final ServerMetrics metrics;
    private ScheduledFuture<?> timer;
    /** Requests read whole, and final responses written; a deadline runs while no read request waits unanswered. */
    private long completed;
    private long answered;
    /** Request heads read: more than {@link #completed} while a body is on its way. */
    private long heads;
    private boolean expired;
    /** The response being written ends the connection ({@code Connection: close}). */
    private boolean lastResponse;

    RequestDeadline(long timeoutNanos, ServerMetrics metrics) {
        this.timeoutNanos = timeoutNanos;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        arm(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (expired) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest) {
            heads++;
        }
        if (msg instanceof LastHttpContent && ++completed > answered) {
            disarm(); // whole and not yet answered: the router's turn
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean informational = msg instanceof HttpResponse
                && ((HttpResponse) msg).status().codeClass() == HttpStatusClass.INFORMATIONAL;
        if (msg instanceof HttpResponse && !informational) {
            lastResponse = !HttpUtil.isKeepAlive((HttpResponse) msg);
        }
        if (msg instanceof LastHttpContent && !informational && ++answered >= completed) {
            if (lastResponse) {
                disarm(); // the connection closes after it (a lingering close of its own): no 408 behind it
            } else {
                arm(ctx); // from the end of this response, for the next request (or the rest of a refused body)
            }
        }
        ctx.write(msg, promise);
    }

    private void arm(ChannelHandlerContext ctx) {
        disarm();
        timer = ctx.executor().schedule(() -> expire(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        timer = null;
        if (!ctx.channel().isActive() || ctx.isRemoved()) {
            return;
        }
        expired = true;
        if (completed == 0 || heads > completed) {
            // A keep-alive connection quiet since its last response is closed the same way, but not counted:
            // the codec shows no partial head, so a slow next head after a first request is not counted either.
            metrics.refused(Refusal.REQUEST_TIMEOUT);
        }
        FullHttpResponse response = Responses.text(HttpResponseStatus.REQUEST_TIMEOUT,
                "the request did not arrive in time");
        HttpUtil.setContentLength(response, response.content().readableBytes());
        HttpUtil.setKeepAlive(response, false);
        Responses.lingeringClose(ctx.writeAndFlush(response));
    }
}
