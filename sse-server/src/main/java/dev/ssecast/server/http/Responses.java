package dev.ssecast.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Building the server's small responses, and closing a connection without losing the last one. */
final class Responses {
    static final String TEXT = "text/plain; charset=utf-8";
    static final String JSON = "application/json";
    /** How long a closing connection keeps reading (and discarding) after its last response. */
    static final long LINGER_MILLIS = 2000;

    private Responses() {
    }

    /** A response whose body is {@code message} and a line end, as plain text. */
    static FullHttpResponse text(HttpResponseStatus status, String message) {
        return of(status, TEXT, Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8));
    }

    /** A response with {@code body}, which it takes ownership of. */
    static FullHttpResponse of(HttpResponseStatus status, CharSequence contentType, ByteBuf body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        if (contentType != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        return response;
    }

    /**
     * Closes the connection once {@code lastWrite} is done, the way a server must when the client may still be
     * sending (an unread body, the rest of a bad request): it shuts down output first, so the client gets the
     * response and then end-of-stream, and only closes after the client closed or {@link #LINGER_MILLIS} passed.
     * Closing at once with unread bytes would make the kernel send a reset that can destroy the response
     * before the client reads it. The caller discards what is read meanwhile.
     */
    static void lingeringClose(ChannelFuture lastWrite) {
        lastWrite.addListener(written -> {
            Channel channel = lastWrite.channel();
            if (!written.isSuccess() || !(channel instanceof DuplexChannel) || !channel.isActive()) {
                channel.close();
                return;
            }
            ((DuplexChannel) channel).shutdownOutput().addListener(shut -> {
                if (shut.isSuccess()) {
                    channel.eventLoop().schedule(() -> { channel.close(); }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
                } else {
                    channel.close();
                }
            });
        });
    }
}
