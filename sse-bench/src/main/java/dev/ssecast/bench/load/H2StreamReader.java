package dev.ssecast.bench.load;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Reads one SSE response on an HTTP/2 stream channel: the response HEADERS (a {@code :status} of 200 opens the
 * stream), then each DATA frame's bytes, which {@link SseEventCounter} counts as events exactly as it counts an
 * HTTP/1.1 body. One instance per stream, confined to its connection's event loop. The stream channel reads on
 * (auto-read), so each DATA frame's bytes are returned to the stream's and the connection's windows as it is read.
 */
final class H2StreamReader extends ChannelInboundHandlerAdapter {
    private final StreamAccount account;
    private final Tally tally;
    private final SseEventCounter events;
    private boolean headed;
    private boolean opened;

    H2StreamReader(StreamAccount account, Tally tally) {
        this.account = account;
        this.tally = tally;
        this.events = new SseEventCounter(account, tally);
    }

    /** Releases every frame it is given. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2HeadersFrame) {
                Http2HeadersFrame frame = (Http2HeadersFrame) msg;
                if (!headed) {
                    headed = true;
                    CharSequence status = frame.headers().status();
                    if (status != null && "200".contentEquals(status)) {
                        opened = true;
                        tally.opened.incrementAndGet();
                    } else {
                        tally.failed.incrementAndGet();
                        ctx.close();
                    }
                }
            } else if (msg instanceof Http2DataFrame) {
                Http2DataFrame frame = (Http2DataFrame) msg;
                tally.bytes.add(frame.content().readableBytes());
                if (opened) {
                    events.parse(frame.content(), frame.content().readableBytes());
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        account.close();
        if (opened) {
            tally.closed.incrementAndGet();
        } else if (!headed) {
            tally.failed.incrementAndGet(); // reset or ended with the connection before any answer
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
