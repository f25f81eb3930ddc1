package dev.ssecast.core;

import dev.ssecast.core.internal.H2StreamSink;
import dev.ssecast.core.internal.Hub;
import dev.ssecast.core.internal.StreamSink;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Turns matching HTTP requests into event streams. Place it after {@code HttpServerCodec}; it is
 * {@linkplain ChannelHandler.Sharable sharable}, so one instance serves every channel.
 *
 * <p>A request the matcher accepts is answered with the stream's head (200, {@code text/event-stream;
 * charset=utf-8}, {@code Cache-Control: no-cache}, chunked, {@code X-Accel-Buffering: no}, CORS when set) and a
 * {@code retry:} line; then the HTTP handlers ({@code io.netty.handler.codec.http}) before it leave the pipeline,
 * this handler is replaced by a sink that discards client bytes, and the channel joins the broadcaster. From the
 * moment the {@code retry:} line is written, every event published to the stream's topics reaches it. Requests the
 * matcher does not accept pass on untouched.
 */
@ChannelHandler.Sharable
public final class SseHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(SseHandler.class);
    private static final AttributeKey<Boolean> DISCARD_BODY = AttributeKey.valueOf(SseHandler.class, "discardBody");
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final SseBroadcaster broadcaster;
    private final Predicate<HttpRequest> matcher;
    private final Function<HttpRequest, SseSubscription> subscriber;
    private final byte[] head;
    /** The head of a stream that ends at once (retry later): it says so, so no client reuses the connection. */
    private final byte[] closingHead;
    private final byte[] retryChunk;
    private final long retryMillis;
    private final String corsOrigin;
    /** Origins echoed with credentials; empty unless {@link Builder#corsOrigins} was set. */
    private final Set<String> corsOrigins;

    private SseHandler(Builder builder) {
        this.corsOrigins = builder.corsOrigins;
        this.broadcaster = builder.broadcaster;
        this.matcher = builder.matcher;
        this.subscriber = builder.subscriber;
        this.corsOrigin = builder.corsOrigin;
        this.head = streamHead(builder.corsOrigin, false);
        this.closingHead = streamHead(builder.corsOrigin, true);
        this.retryChunk = retryChunk(builder.retry);
        this.retryMillis = builder.retry.toMillis();
    }

    /** A builder for streams of {@code broadcaster}. */
    public static Builder builder(SseBroadcaster broadcaster) {
        return new Builder(broadcaster);
    }

    /**
     * The default subscriber: topics from the {@code topic} query parameters ({@code default} when there is none),
     * last event id from the {@code Last-Event-ID} header, else the {@code lastEventId} query parameter.
     */
    public static SseSubscription defaultSubscription(HttpRequest request) {
        Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
        List<String> topics = query.getOrDefault("topic", List.of("default"));
        return SseSubscription.of(topics, lastEventId(request, query));
    }

    /**
     * The client's last event id: the {@code Last-Event-ID} header (browsers send it on reconnect), else the
     * {@code lastEventId} query parameter (for clients that cannot set headers); an empty value is none. Null
     * when there is none.
     *
     * @param query the request's query parameters, as {@link QueryStringDecoder#parameters()} gives them
     */
    public static String lastEventId(HttpRequest request, Map<String, List<String>> query) {
        String header = request.headers().get("Last-Event-ID");
        if (header != null && !header.isEmpty()) {
            return header;
        }
        List<String> fromQuery = query.get("lastEventId");
        return fromQuery == null || fromQuery.get(0).isEmpty() ? null : fromQuery.get(0);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpContent && ctx.channel().hasAttr(DISCARD_BODY)
                && Boolean.TRUE.equals(ctx.channel().attr(DISCARD_BODY).get())) {
            ReferenceCountUtil.release(msg); // body of a request this handler already answered
            return;
        }
        if (!(msg instanceof HttpRequest) || !((HttpRequest) msg).decoderResult().isSuccess()
                || !matcher.test((HttpRequest) msg)) {
            ctx.fireChannelRead(msg);
            return;
        }
        HttpRequest request = (HttpRequest) msg;
        try {
            answer(ctx, request);
        } finally {
            ReferenceCountUtil.release(request);
        }
    }

    private void answer(ChannelHandlerContext ctx, HttpRequest request) {
        if (!request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            refuse(ctx, HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "event streams need HTTP/1.1");
            return;
        }
        SseSubscription subscription;
        try {
            subscription = Objects.requireNonNull(subscriber.apply(request), "subscriber returned null");
        } catch (IllegalArgumentException badRequest) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, badRequest.getMessage());
            return;
        } catch (RuntimeException | Error failed) {
            // the path only: a query may carry credentials (access_token)
            LOG.warn("the subscriber function failed on {} {}; answering 500", request.method(),
                    new QueryStringDecoder(request.uri()).path(),
                    failed);
            refuse(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "the server could not subscribe this stream");
            return;
        }
        boolean h2 = ctx.channel() instanceof Http2StreamChannel;
        switch (subscription.kind()) {
            case REFUSE:
                refuse(ctx, request, subscription.status(), subscription.message(), subscription.headers());
                break;
            case RETRY_LATER:
                retryLater(becomeStream(ctx, h2), h2, request, retryChunk(subscription.retry()));
                break;
            default:
                ChannelOutboundInvoker stream = becomeStream(ctx, h2);
                // Queued before the retry line goes out: whatever is published once the client has read it is
                // published after the subscription, so the stream gets it.
                long until = subscription.until() == null ? Hub.NO_DEADLINE : subscription.until().toEpochMilli();
                if (broadcaster.hub().subscribe(ctx.channel(), subscription.topics(), subscription.lastEventId(),
                        until, retryMillis)) {
                    if (h2) {
                        stream.write(new DefaultHttp2HeadersFrame(h2Head(headOrigin(request))), stream.voidPromise());
                        stream.writeAndFlush(Unpooled.wrappedBuffer(retryChunk), stream.voidPromise());
                    } else {
                        byte[] streamHead = corsOrigins.isEmpty() ? head : streamHead(headOrigin(request), false);
                        stream.writeAndFlush(Unpooled.wrappedBuffer(streamHead, retryChunk), stream.voidPromise());
                    }
                } else {
                    // the broadcaster is closed: come back (elsewhere) later
                    retryLater(stream, h2, request, retryChunk);
                }
        }
    }

    /**
     * Answers 200 with {@code retry} and ends the stream at once: over HTTP/1.1 closing the connection, over
     * HTTP/2 with {@code END_STREAM}, closing that stream only.
     */
    private void retryLater(ChannelOutboundInvoker stream, boolean h2, HttpRequest request, byte[] retry) {
        ChannelFuture written;
        if (h2) {
            stream.write(new DefaultHttp2HeadersFrame(h2Head(headOrigin(request))), stream.voidPromise());
            written = stream.writeAndFlush(Unpooled.wrappedBuffer(retry, LAST_CHUNK));
        } else {
            byte[] closing = corsOrigins.isEmpty() ? closingHead : streamHead(headOrigin(request), true);
            written = stream.writeAndFlush(Unpooled.wrappedBuffer(closing, retry, LAST_CHUNK));
        }
        written.addListener(ChannelFutureListener.CLOSE);
    }

    /** The request's {@code Origin} when it is one of {@link #corsOrigins}, else null. */
    private String echoedOrigin(HttpRequest request) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        return origin != null && corsOrigins.contains(origin) ? origin : null;
    }

    /**
     * Removes the HTTP handlers before this one ({@code io.netty.handler.codec.http*}: on an HTTP/2 stream, its
     * frame-to-object codec) and replaces this one with the stream sink; returns where the stream's bytes are
     * written from. Over HTTP/1.1 that is the sink's context: writes from there reach the socket as raw bytes,
     * already chunk-framed. Over HTTP/2 it is the stream's channel, whose {@link H2StreamSink} turns the chunks into
     * DATA frames.
     */
    private ChannelOutboundInvoker becomeStream(ChannelHandlerContext ctx, boolean h2) {
        ChannelPipeline pipeline = ctx.pipeline();
        List<String> http = new ArrayList<>();
        for (Map.Entry<String, ChannelHandler> entry : pipeline) {
            if (entry.getValue() == this) {
                break;
            }
            if (entry.getValue().getClass().getPackageName().startsWith("io.netty.handler.codec.http")) {
                http.add(entry.getKey());
            }
        }
        pipeline.replace(ctx.name(), "ssecast-stream", h2 ? H2StreamSink.INSTANCE : StreamSink.INSTANCE);
        for (String name : http) {
            pipeline.remove(name);
        }
        return h2 ? ctx.channel() : pipeline.context(StreamSink.INSTANCE);
    }

    private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
        refuse(ctx, null, status, message, List.of());
    }

    private void refuse(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String message,
                        List<String> headers) {
        ctx.channel().attr(DISCARD_BODY).set(Boolean.TRUE);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        for (int i = 0; i < headers.size(); i += 2) {
            response.headers().add(headers.get(i), headers.get(i + 1));
        }
        if (!corsOrigins.isEmpty()) {
            String origin = request == null ? null : echoedOrigin(request);
            if (origin != null) {
                response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
                        .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
            }
            response.headers().set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        } else if (corsOrigin != null) {
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, corsOrigin);
        }
        HttpUtil.setContentLength(response, response.content().readableBytes());
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private byte[] streamHead(String corsOrigin, boolean closing) {
        StringBuilder head = new StringBuilder(256).append("HTTP/1.1 200 OK\r\n");
        BiConsumer<String, String> field = (name, value) -> head.append(name).append(": ").append(value)
                .append("\r\n");
        streamFields(field);
        field.accept("transfer-encoding", "chunked");
        if (closing) {
            field.accept("connection", "close");
        }
        corsFields(corsOrigin, field);
        return head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The HTTP/2 head of a stream: the fields of {@link #streamHead}, without HTTP/1.1's connection-level ones. */
    private Http2Headers h2Head(String corsOrigin) {
        Http2Headers headers = new DefaultHttp2Headers().status(HttpResponseStatus.OK.codeAsText());
        streamFields(headers::set);
        corsFields(corsOrigin, headers::set);
        return headers;
    }

    /** The fields of a stream's head that both protocols send first, lower case, in order. */
    private static void streamFields(BiConsumer<String, String> field) {
        field.accept("content-type", "text/event-stream; charset=utf-8");
        field.accept("cache-control", "no-cache");
        field.accept("x-accel-buffering", "no");
    }

    /** A stream head's CORS fields for {@code corsOrigin}: none for null, but Vary whenever origins are listed. */
    private void corsFields(String corsOrigin, BiConsumer<String, String> field) {
        if (corsOrigin != null) {
            field.accept("access-control-allow-origin", corsOrigin);
            if (!corsOrigins.isEmpty()) {
                field.accept("access-control-allow-credentials", "true");
            }
        }
        if (!corsOrigins.isEmpty() || corsOrigin != null && !"*".equals(corsOrigin)) {
            field.accept("vary", "origin");
        }
    }

    /** The origin a stream's head names for {@code request}: the configured one, or the request's when listed. */
    private String headOrigin(HttpRequest request) {
        return corsOrigins.isEmpty() ? corsOrigin : echoedOrigin(request);
    }

    /** The chunk {@code <hex>\r\nretry: <ms>\n\n\r\n}. */
    private static byte[] retryChunk(Duration retry) {
        String line = "retry: " + retry.toMillis() + "\n\n";
        return (Integer.toHexString(line.length()) + "\r\n" + line + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Settings of a {@link SseHandler}. */
    public static final class Builder {
        private final SseBroadcaster broadcaster;
        private Predicate<HttpRequest> matcher = request -> HttpMethod.GET.equals(request.method())
                && request.headers().containsValue(HttpHeaderNames.ACCEPT, "text/event-stream", true);
        private Function<HttpRequest, SseSubscription> subscriber = SseHandler::defaultSubscription;
        private Duration retry = Duration.ofSeconds(3);
        private String corsOrigin;
        private Set<String> corsOrigins = Set.of();

        private Builder(SseBroadcaster broadcaster) {
            this.broadcaster = Objects.requireNonNull(broadcaster, "broadcaster");
        }

        /**
         * Which requests become streams. Default: {@code GET} with {@code Accept: text/event-stream}. For example
         * {@code r -> r.method() == HttpMethod.GET && new QueryStringDecoder(r.uri()).path().equals("/events")}.
         */
        public Builder matching(Predicate<HttpRequest> matcher) {
            this.matcher = Objects.requireNonNull(matcher, "matcher");
            return this;
        }

        /**
         * Maps a matched request to its subscription; runs on the channel's event loop. An
         * {@link IllegalArgumentException} it throws becomes a 400 with its message; anything else it throws is
         * logged and becomes a 500; the connection is closed either way. Default:
         * {@link SseHandler#defaultSubscription}.
         */
        public Builder subscriber(Function<HttpRequest, SseSubscription> subscriber) {
            this.subscriber = Objects.requireNonNull(subscriber, "subscriber");
            return this;
        }

        /** The {@code retry:} a stream starts with: how long a client waits before reconnecting. Default 3s. */
        public Builder retry(Duration retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** The {@code Access-Control-Allow-Origin} of streams, or null (the default) for none. */
        public Builder corsOrigin(String origin) {
            this.corsOrigin = origin;
            return this;
        }

        /**
         * Origins whose credentialed requests may read streams: a request whose {@code Origin} is one of them gets
         * it echoed in {@code Access-Control-Allow-Origin} with {@code Access-Control-Allow-Credentials: true};
         * every stream then says {@code Vary: Origin}. Replaces {@link #corsOrigin} when not empty. Default: none.
         */
        public Builder corsOrigins(Set<String> origins) {
            this.corsOrigins = Set.copyOf(origins);
            return this;
        }

        public SseHandler build() {
            for (String origin : corsOrigins) {
                if (origin.isEmpty() || "*".equals(origin) || origin.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                    throw new IllegalArgumentException("a credentialed cors origin must be printable ASCII and not *,"
                            + " was \"" + origin + "\"");
                }
            }
            if (retry.isNegative() || retry.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("retry must be within [0ms, 3600000ms], was "
                        + retry.toMillis() + "ms");
            }
            if (corsOrigin != null && (corsOrigin.isEmpty() || corsOrigin.chars().anyMatch(c -> c < 0x20 || c > 0x7e))) {
                throw new IllegalArgumentException("cors origin must be printable ASCII, was \"" + corsOrigin + "\"");
            }
            return new SseHandler(this);
        }
    }
}
