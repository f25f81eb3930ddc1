package dev.ssecast.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The subscriber end of an in-VM pair: counts what arrives, then releases it. Shared by the peers of one event loop
 * and confined to that loop; read its counts from another thread only after a {@link LoopBarrier} has passed.
 */
@ChannelHandler.Sharable
final class PeerSink extends ChannelInboundHandlerAdapter {
    private long messages;
    private long bytes;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        messages++;
        if (msg instanceof ByteBuf) {
            bytes += ((ByteBuf) msg).readableBytes();
        }
        ReferenceCountUtil.release(msg);
    }

    /** Buffers received so far. */
    long messages() {
        return messages;
    }

    /** Bytes received so far. */
    long bytes() {
        return bytes;
    }
}
