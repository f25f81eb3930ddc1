package dev.ssecast.core.internal;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * What stays in a stream's pipeline once the HTTP codec is gone: it discards whatever the client still sends and
 * closes the stream on an error (an {@link IOException} is a client going away: debug; anything else: warn).
 */
@ChannelHandler.Sharable
public final class StreamSink extends ChannelInboundHandlerAdapter {
    /**
     * Marks a channel whose transport is done with every buffer written to it on the channel's own event loop
     * (as a socket's is), though it is not a {@link io.netty.channel.socket.DuplexChannel}: its streams are then
     * written loop-confined views of a frame, whose reference count is not atomic, instead of duplicates. Never
     * set it on a transport that hands written buffers to another thread (the in-VM {@code LocalChannel} hands
     * them to its peer). Set it before the stream joins.
     */
    public static final AttributeKey<Boolean> CONSUMES_ON_LOOP = AttributeKey.valueOf(StreamSink.class,
            "consumesOnLoop");

    /** Stateless, so one instance serves every stream. */
    public static final StreamSink INSTANCE = new StreamSink();
    private static final Logger LOG = LoggerFactory.getLogger(StreamSink.class);

    private StreamSink() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("stream {} failed; closing", ctx.channel(), cause);
        } else {
            LOG.warn("stream {} failed; closing", ctx.channel(), cause);
        }
        ctx.close();
    }
}
