package dev.ssecast.bench.jmh;

import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;

import java.nio.ByteBuffer;

/**
 * The server end of an in-VM pair whose writes go nowhere: {@link #doWrite} gathers the outbound buffer's bytes the
 * way {@code NioSocketChannel} does ({@code nioBuffers(1024, Integer.MAX_VALUE)}), counts them into its loop's
 * {@link SinkCount} and removes them, as a socket with room in its send buffer would accept them; the peer's
 * pipeline never runs. The outbound buffer, its water marks, the flush and the release are Netty's own.
 * Confined to its event loop.
 */
final class SinkChannel extends LocalChannel {
    private static final int MAX_BUFFERS = 1024;

    private final SinkCount count;

    SinkChannel(LocalServerChannel parent, LocalChannel peer, SinkCount count) {
        super(parent, peer);
        this.count = count;
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        while (!in.isEmpty()) {
            ByteBuffer[] buffers = in.nioBuffers(MAX_BUFFERS, Integer.MAX_VALUE);
            long size = in.nioBufferSize();
            if (in.nioBufferCount() == 0 || size == 0) {
                in.remove(); // an empty buffer, or a message that is not a buffer: release it, as a socket would
                continue;
            }
            count.bytes += size;
            in.removeBytes(size);
        }
    }
}
