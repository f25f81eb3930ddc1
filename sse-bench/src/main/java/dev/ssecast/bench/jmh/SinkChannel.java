package dev.ssecast.bench.jmh;

import dev.ssecast.core.internal.StreamSink;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;

import java.nio.ByteBuffer;

/**
 * The server end of an in-VM pair whose writes go nowhere: {@link #doWrite} gathers the outbound buffer's bytes as
 * a socket transport would ({@link Gather}), counts them into its loop's {@link SinkCount} and removes them, as a
 * socket with room in its send buffer would accept them; the peer's pipeline never runs. The outbound buffer, its
 * water marks, the flush and the release are Netty's own. Confined to its event loop.
 */
final class SinkChannel extends LocalChannel {
    private static final int MAX_BUFFERS = 1024;

    /** How a flush's bytes are handed to the "socket". */
    enum Gather {
        /** As {@code NioSocketChannel}: {@code nioBuffers(1024, Integer.MAX_VALUE)}, a {@code ByteBuffer} each. */
        NIO,
        /**
         * As the epoll and io_uring transports: a buffer with a memory address is handed over as address and
         * length ({@code memoryAddress()}, no {@code ByteBuffer}); any other buffer as its {@code nioBuffers}.
         */
        EPOLL
    }

    private final SinkCount count;

    SinkChannel(LocalServerChannel parent, LocalChannel peer, SinkCount count) {
        super(parent, peer);
        this.count = count;
        // Its doWrite is done with every buffer on this loop, as a socket's is; the peer never sees one.
        attr(StreamSink.CONSUMES_ON_LOOP).set(true);
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        if (count.gather == Gather.EPOLL) {
            writeAddresses(in);
            return;
        }
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

    private void writeAddresses(ChannelOutboundBuffer in) {
        Object msg;
        while ((msg = in.current()) != null) {
            if (!(msg instanceof ByteBuf) || ((ByteBuf) msg).readableBytes() == 0) {
                in.remove(); // as a socket transport would: nothing to write
                continue;
            }
            ByteBuf buf = (ByteBuf) msg;
            int readable = buf.readableBytes();
            if (buf.hasMemoryAddress()) {
                count.addresses += buf.memoryAddress() + buf.readerIndex();
            } else {
                count.addresses += buf.nioBuffers(buf.readerIndex(), readable).length;
            }
            count.bytes += readable;
            in.removeBytes(readable);
        }
    }
}
