package dev.ssecast.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;

import java.util.List;

/**
 * The plain port's choice of protocol: a connection that opens with HTTP/2's connection preface
 * ({@code PRI * HTTP/2.0}, RFC 9113 3.3: prior knowledge) becomes an {@linkplain H2Connection HTTP/2 connection};
 * anything else is HTTP/1.1, decided on the first byte that differs. {@code Upgrade: h2c} is not honoured (RFC
 * 9113 deprecates it): such a request is served as HTTP/1.1. Leaves the pipeline once it has decided, handing
 * on what it read. Single thread: the connection's event loop.
 */
final class PrefaceSwitch extends ByteToMessageDecoder {
    static final String NAME = "protocol";
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final HttpInitializer http;

    PrefaceSwitch(HttpInitializer http) {
        this.http = http;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int length = Math.min(in.readableBytes(), PREFACE.readableBytes());
        if (!ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), in, in.readerIndex(), length)) {
            ctx.pipeline().remove(this); // HTTP/1.x: its handlers follow
        } else if (length == PREFACE.readableBytes()) {
            http.serveHttp2(ctx.pipeline(), NAME);
            ctx.pipeline().remove(this);
        }
    }
}
