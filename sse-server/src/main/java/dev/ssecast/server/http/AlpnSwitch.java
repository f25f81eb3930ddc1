package dev.ssecast.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * The TLS port's choice of protocol, by ALPN once the handshake is done: {@code h2} becomes an
 * {@linkplain H2Connection HTTP/2 connection}; {@code http/1.1}, or no ALPN at all, stays HTTP/1.1. A failed
 * handshake (a scanner, an expired certificate on the client's side) closes the connection, logged at debug.
 */
final class AlpnSwitch extends ApplicationProtocolNegotiationHandler {
    static final String NAME = PrefaceSwitch.NAME;
    private static final Logger LOG = LoggerFactory.getLogger(AlpnSwitch.class);

    private final HttpInitializer http;

    AlpnSwitch(HttpInitializer http) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.http = http;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            http.serveHttp2(ctx.pipeline(), ctx.name());
        }
    }

    /**
     * Until the handshake is done, a connection reset or any other I/O failure is one client gone: a debug line
     * and a close, as elsewhere. Netty's own handler would log each as a warning with its stack trace.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (cause instanceof IOException) {
            LOG.debug("connection {} failed before ALPN chose a protocol; closing", ctx.channel(), cause);
            ctx.close();
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("TLS handshake with {} failed; closing", ctx.channel(), cause);
        ctx.close();
    }
}
