package dev.ssecast.core.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * What stays in an HTTP/2 stream's pipeline (an {@link Http2StreamChannel}) once it has become an event stream:
 * the engine writes every stream the same chunk-framed frames ({@code <hex> CRLF payload CRLF}, and {@code 0 CRLF
 * CRLF} to end), and this handler turns each chunk into a DATA frame of a slice of the same buffer, without the
 * framing, and the last chunk into an empty DATA frame that ends the stream. The DATA frames go to the connection
 * through Netty's child channel, so the connection's flow controller keeps every window honest.
 *
 * <p>A flush is not passed on: it asks for one flush of the connection, run once the current task of the event
 * loop (a tick's fan-out) is done, so that a connection carrying a thousand streams is flushed once per tick, not
 * a thousand times. What the client sends is discarded; an error closes the stream (resetting it when open), but
 * a stream error of the protocol is left to Netty's multiplexer, which resets the stream with that error's code.
 *
 * <p>Ownership: {@link #write} takes the buffer; each DATA frame holds a retained slice of it, released once the
 * connection has written (or failed) that frame; the buffer itself is released before {@code write} returns.
 */
@ChannelHandler.Sharable
public final class H2StreamSink extends ChannelDuplexHandler {
    /** Stateless, so one instance serves every stream. */
    public static final H2StreamSink INSTANCE = new H2StreamSink();
    private static final Logger LOG = LoggerFactory.getLogger(H2StreamSink.class);
    private static final AttributeKey<ConnectionFlush> FLUSH = AttributeKey.valueOf(H2StreamSink.class, "flush");

    private H2StreamSink() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    /**
     * Takes {@code msg}: a chunk-framed {@link ByteBuf} becomes DATA frames (the promise is the last one's);
     * anything else (the response's HEADERS frame) passes on as it is.
     */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf chunks = (ByteBuf) msg;
        DefaultHttp2DataFrame last = null;
        try {
            int at = chunks.readerIndex();
            int end = chunks.writerIndex();
            while (at < end) {
                int size = 0;
                int digit;
                int start = at;
                while (at < end && (digit = Character.digit(chunks.getByte(at), 16)) >= 0 && at - start < 8) {
                    size = size * 16 + digit;
                    at++;
                }
                if (at == start || end - at < 4 || chunks.getByte(at) != '\r' || chunks.getByte(at + 1) != '\n'
                        || size > end - at - 4) {
                    throw new IllegalArgumentException("not a chunk-framed buffer at index " + at);
                }
                at += 2;
                if (last != null) {
                    ctx.write(last, ctx.voidPromise());
                }
                if (size == 0) {
                    last = new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true);
                    break; // the last chunk: nothing follows it
                }
                last = new DefaultHttp2DataFrame(chunks.retainedSlice(at, size), false);
                at += size + 2;
            }
        } catch (RuntimeException | Error failed) {
            ReferenceCountUtil.release(last);
            chunks.release();
            promise.setFailure(failed);
            return;
        }
        chunks.release();
        if (last != null) {
            ctx.write(last, promise);
        } else {
            promise.trySuccess();
        }
    }

    /** Asks for one flush of the connection after the loop's current task; see the class comment. */
    @Override
    public void flush(ChannelHandlerContext ctx) {
        Channel parent = ctx.channel().parent();
        if (parent == null) {
            ctx.flush();
            return;
        }
        ConnectionFlush flush = parent.attr(FLUSH).get();
        if (flush == null) {
            flush = new ConnectionFlush(parent);
            parent.attr(FLUSH).set(flush);
        }
        flush.request();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            // A stream error (the client broke the protocol on this stream): Netty's multiplexer resets the stream
            // with the error's code once this returns, and its bound on such resets ("MadeYouReset") counts it.
            // Closing here would reset it with CANCEL, which that bound does not count.
            LOG.debug("stream {}: {}", ctx.channel(), cause.getMessage());
            return;
        }
        if (cause instanceof IOException) {
            LOG.debug("stream {} failed; closing", ctx.channel(), cause);
        } else {
            LOG.warn("stream {} failed; closing", ctx.channel(), cause);
        }
        ctx.close();
    }

    /** One flush of a connection, asked for by any number of its streams within one task. Its loop only. */
    private static final class ConnectionFlush implements Runnable {
        private final Channel connection;
        private boolean requested;

        ConnectionFlush(Channel connection) {
            this.connection = connection;
        }

        void request() {
            if (requested) {
                return;
            }
            requested = true;
            try {
                connection.eventLoop().execute(this);
            } catch (RuntimeException shuttingDown) {
                run();
            }
        }

        @Override
        public void run() {
            requested = false;
            connection.flush();
        }
    }
}
