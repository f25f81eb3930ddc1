package dev.ssecast.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Stream;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Keeps the send windows of a set of HTTP/2 sink connections open, so that flow control never stalls a measurement,
 * as a client that reads everything keeps them open. Every connection starts with its connection window and every
 * stream's window at 2^31-1 ({@link H2ClientFrames}). Once the streams may together have sent half a window on one
 * connection since the last top-up, every connection gets a top-up on its loop: the client's WINDOW_UPDATEs fired
 * inbound, one for the connection and one for each stream whose window is below half, each back up to 2^31-1 as
 * read from the connection's flow controller.
 *
 * <p>The cost is harness overhead, measured with the fan-out: at about 100 bytes per stream and operation, and
 * 1,000 streams a connection, one top-up (one frame of 13 bytes a connection, plus one task a connection) every
 * 10,000 operations or so. Single caller: the benchmark thread; the top-ups run on the connections' loops, queued
 * before the next operation's work, so they run first.
 */
final class H2Windows {
    /** Half the largest window: what one connection may have sent between two top-ups. */
    static final long TOP_UP_AFTER = (H2ClientFrames.MAX_WINDOW + 1L) / 2;

    private final List<Channel> connections;
    private final int maxStreamsPerConnection;
    private long sentPerStream;
    private long topUps;

    /** The windows of {@code connections}, none of which carries more than {@code maxStreamsPerConnection}. */
    H2Windows(List<Channel> connections, int maxStreamsPerConnection) {
        this.connections = List.copyOf(connections);
        this.maxStreamsPerConnection = maxStreamsPerConnection;
    }

    /** Every stream has sent {@code bytesPerStream} more DATA bytes; queues a top-up when one may be due. */
    void sent(long bytesPerStream) {
        sentPerStream += bytesPerStream;
        if (sentPerStream * maxStreamsPerConnection >= TOP_UP_AFTER) {
            topUp();
        }
    }

    /** Queues a top-up of every connection on its loop, whatever has been sent. */
    void topUp() {
        sentPerStream = 0;
        topUps++;
        for (int i = 0; i < connections.size(); i++) {
            Channel connection = connections.get(i);
            connection.eventLoop().execute(() -> topUp(connection));
        }
    }

    /** Top-ups queued so far. */
    long topUps() {
        return topUps;
    }

    /**
     * The smallest send window of any connection or stream, read on their loops; for tests.
     *
     * @throws TimeoutException if a loop did not answer within 10 seconds
     */
    int smallestWindow() throws InterruptedException, ExecutionException, TimeoutException {
        int smallest = Integer.MAX_VALUE;
        for (Channel connection : connections) {
            int own = connection.eventLoop().submit(() -> {
                Http2Connection h2 = connection.pipeline().get(Http2FrameCodec.class).connection();
                Http2RemoteFlowController flow = h2.remote().flowController();
                int[] min = {flow.windowSize(h2.connectionStream())};
                h2.forEachActiveStream(stream -> {
                    min[0] = Math.min(min[0], flow.windowSize(stream));
                    return true;
                });
                return min[0];
            }).get(10, TimeUnit.SECONDS);
            smallest = Math.min(smallest, own);
        }
        return smallest;
    }

    /** On {@code connection}'s loop: the client's WINDOW_UPDATEs, fired inbound as a read. */
    private static void topUp(Channel connection) {
        Http2FrameCodec codec = connection.pipeline().get(Http2FrameCodec.class);
        if (codec == null) {
            return; // closed meanwhile
        }
        Http2Connection h2 = codec.connection();
        Http2RemoteFlowController flow = h2.remote().flowController();
        ByteBuf updates = Unpooled.buffer();
        int window = flow.windowSize(h2.connectionStream());
        if (window < H2ClientFrames.MAX_WINDOW) {
            H2ClientFrames.writeWindowUpdate(updates, 0, H2ClientFrames.MAX_WINDOW - window);
        }
        try {
            h2.forEachActiveStream((Http2Stream stream) -> {
                int own = flow.windowSize(stream);
                if (own < TOP_UP_AFTER) {
                    H2ClientFrames.writeWindowUpdate(updates, stream.id(), H2ClientFrames.MAX_WINDOW - own);
                }
                return true;
            });
        } catch (Exception unexpected) { // the visitor throws nothing
            updates.release();
            throw new IllegalStateException(unexpected);
        }
        if (!updates.isReadable()) {
            updates.release();
            return;
        }
        connection.pipeline().fireChannelRead(updates); // the codec takes it
        connection.pipeline().fireChannelReadComplete();
    }
}
