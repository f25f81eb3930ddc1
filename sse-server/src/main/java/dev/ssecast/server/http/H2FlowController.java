package dev.ssecast.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * Netty's remote flow controller, counting the bytes it holds for the connection, summed over its streams:
 * queued by a write, taken off as the controller writes them out (or fails them, when a stream is reset). The
 * connection's bound on what may wait is checked against {@link #queuedBytes()}. Single thread: the connection's
 * event loop, as the controller itself.
 */
final class H2FlowController extends DefaultHttp2RemoteFlowController {
    private long queued;

    H2FlowController(Http2Connection connection) {
        super(connection);
    }

    /** Bytes of DATA (and the HEADERS frames queued behind them) waiting for a window, over all streams. */
    long queuedBytes() {
        return queued;
    }

    @Override
    public void addFlowControlled(Http2Stream stream, FlowControlled frame) {
        queued += frame.size();
        super.addFlowControlled(stream, new Counted(frame));
    }

    /** A queued frame, whose bytes leave {@link #queued} as they are written or failed. */
    private final class Counted implements FlowControlled {
        private final FlowControlled frame;

        Counted(FlowControlled frame) {
            this.frame = frame;
        }

        @Override
        public int size() {
            return frame.size();
        }

        @Override
        public void error(ChannelHandlerContext ctx, Throwable cause) {
            queued -= frame.size();
            frame.error(ctx, cause);
        }

        @Override
        public void writeComplete() {
            frame.writeComplete();
        }

        @Override
        public void write(ChannelHandlerContext ctx, int allowedBytes) {
            int before = frame.size();
            try {
                frame.write(ctx, allowedBytes);
            } finally {
                queued -= before - frame.size();
            }
        }

        /** Merges the frame {@code next} wraps (its bytes were counted when it was added, and stay queued). */
        @Override
        public boolean merge(ChannelHandlerContext ctx, FlowControlled next) {
            return next instanceof Counted && frame.merge(ctx, ((Counted) next).frame);
        }
    }
}
