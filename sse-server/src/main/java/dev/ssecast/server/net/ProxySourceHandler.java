package dev.ssecast.server.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.util.NetUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Takes the client address from the PROXY header {@code HAProxyMessageDecoder} read, then leaves the pipeline.
 * A {@code PROXY} command names the client; {@code LOCAL} (a health check of the proxy itself) and
 * {@code UNKNOWN} keep the peer. A malformed header closes the connection (the decoder already did). Single
 * thread: the channel's event loop.
 */
final class ProxySourceHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ProxySourceHandler.class);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage)) {
            ctx.fireChannelRead(msg);
            return;
        }
        HAProxyMessage header = (HAProxyMessage) msg;
        try {
            if (header.command() == HAProxyCommand.PROXY && header.sourceAddress() != null) {
                byte[] source = NetUtil.createByteArrayFromIpAddressString(header.sourceAddress());
                if (source != null) {
                    ctx.channel().attr(ClientAddress.CONNECTION)
                            .set(new ClientAddress(InetAddress.getByAddress(source)));
                }
            }
        } catch (UnknownHostException impossible) { // createByteArray gives 4 or 16 bytes
            throw new IllegalStateException(impossible);
        } finally {
            header.release();
        }
        ctx.pipeline().remove(this);
        ctx.fireUserEventTriggered(ClientAddresses.KNOWN);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof HAProxyProtocolException) {
            LOG.debug("connection {} sent no valid PROXY header; closed", ctx.channel(), cause);
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }
}
