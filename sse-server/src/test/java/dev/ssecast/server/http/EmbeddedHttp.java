package dev.ssecast.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/** An {@link HttpInitializer} on an {@link EmbeddedChannel} from a given client address, for the router's tests. */
final class EmbeddedHttp {
    private EmbeddedHttp() {
    }

    /** A connection from {@code peer} whose pipeline {@code http} builds. */
    static EmbeddedChannel channel(SocketAddress peer, HttpInitializer http) {
        return new EmbeddedChannel(http) {
            @Override
            protected SocketAddress remoteAddress0() {
                return peer;
            }
        };
    }

    /** Everything the channel has written so far, as text; releases each buffer it reads. */
    static String readAll(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        return out.toString();
    }

    /** Fires {@code request} into the channel as the client's bytes, UTF-8 encoded. */
    static void send(EmbeddedChannel channel, String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.UTF_8));
    }
}
