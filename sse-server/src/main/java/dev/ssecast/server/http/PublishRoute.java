package dev.ssecast.server.http;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseEvent;
import dev.ssecast.server.net.ClientAddress;
import dev.ssecast.server.auth.Admission;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /events} on one connection; single thread: the channel's event loop. The head is checked first
 * (draining, auth, parameters, a declared length over the limit) and a refusal answered before any body is read;
 * an accepted body is copied into one buffer of at most {@code --max-event-bytes}, then decoded, published, and
 * answered {@code 202 {"id":"<id>"}}, {@code 400} when the publisher refuses the input, or {@code 503} with
 * {@code Retry-After}.
 */
final class PublishRoute {
    private static final Logger LOG = LoggerFactory.getLogger(PublishRoute.class);

    private final HttpInitializer http;
    private final HttpRouter router;
    /** The body being collected, owned here until {@link #finish} or {@link #abandon}; null when not collecting. */
    private ByteBuf body;
    private String topic;
    private String eventName;
    private boolean keepAlive;

    PublishRoute(HttpInitializer http, HttpRouter router) {
        this.http = http;
        this.router = router;
    }

    boolean isCollecting() {
        return body != null;
    }

    void onHead(ChannelHandlerContext ctx, HttpRequest request) {
        if (http.isDraining()) {
            FullHttpResponse response = Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "the server is draining; publish to another node");
            response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds());
            router.answer(ctx, request, response);
            return;
        }
        InetAddress client = http.clientAddress(ctx.channel(), request);
        if (client != null && http.authorizer().overRefusalLimit(client)) {
            http.metrics().refused(Refusal.AUTH_RATE);
            FullHttpResponse response = Responses.text(HttpResponseStatus.TOO_MANY_REQUESTS,
                    "too many refused publishes from this address; try again in a minute");
            response.headers().set(HttpHeaderNames.RETRY_AFTER, "60");
            router.send(ctx, response, false);
            return;
        }
        long wait = http.publishRate() == null ? 0
                : http.publishRate().take(ClientAddress.of(ctx.channel(), request));
        if (wait > 0) {
            http.metrics().refused(Refusal.PUBLISH_RATE);
            FullHttpResponse response = Responses.text(HttpResponseStatus.TOO_MANY_REQUESTS,
                    "over the publish rate of your address");
            response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(wait));
            router.answer(ctx, request, response);
            return;
        }
        try {
            Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
            topic = Names.publishTopic(query.get("topic"));
            eventName = Names.eventName(query.get("event"));
        } catch (IllegalArgumentException bad) {
            router.answer(ctx, request, Responses.text(HttpResponseStatus.BAD_REQUEST, bad.getMessage()));
            return;
        }
        FullHttpResponse refusal = authRefusal(ctx, request);
        if (refusal != null) {
            // A refused publisher may be guessing: count it, and close the connection it would guess on.
            http.metrics().refused(refusal.status().code() == 401 ? Refusal.UNAUTHORIZED : Refusal.FORBIDDEN);
            if (client != null) {
                http.authorizer().refused(client);
            }
            router.send(ctx, refusal, false);
            return;
        }
        long length = HttpUtil.getContentLength(request, -1L);
        if (length > http.maxEventBytes()) {
            router.send(ctx, tooLarge(), false); // never read a body that large, not even to discard it
            return;
        }
        String expect = request.headers().get(HttpHeaderNames.EXPECT);
        if (expect != null && request.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0
                && !HttpUtil.is100ContinueExpected(request)) {
            router.send(ctx, Responses.text(HttpResponseStatus.EXPECTATION_FAILED,
                    "only Expect: 100-continue is supported"), false); // its body may never come: close
            return;
        }
        if (HttpUtil.is100ContinueExpected(request)) {
            router.sendContinue(ctx);
        }
        keepAlive = HttpUtil.isKeepAlive(request);
        int initial = length >= 0 ? (int) length : Math.min(1024, http.maxEventBytes());
        body = ctx.alloc().heapBuffer(initial, http.maxEventBytes());
    }

    /** The 401 or 403 for a publish of {@link #topic} that may not go on, or null when it may. */
    private FullHttpResponse authRefusal(ChannelHandlerContext ctx, HttpRequest request) {
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        // The real client: a proxy on this machine does not make everyone behind it loopback.
        switch (http.auth().check(ClientAddress.of(ctx.channel(), request).socketAddress(), authorization,
                request.headers().get(HttpHeaderNames.HOST), request.headers().get(HttpHeaderNames.ORIGIN))) {
            case ALLOWED:
                return null;
            case BY_GRANT: {
                Admission admission = http.authorizer().publish(request, topic);
                if (admission.allowed()) {
                    return null;
                }
                FullHttpResponse response = Responses.text(admission.outcome() == Admission.Outcome.UNAUTHORIZED
                        ? HttpResponseStatus.UNAUTHORIZED : HttpResponseStatus.FORBIDDEN, admission.message());
                response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, admission.wwwAuthenticate());
                return response;
            }
            case NOT_LOOPBACK:
                return Responses.text(HttpResponseStatus.FORBIDDEN,
                        "publishing is limited to loopback clients (the server has no --publish-token)");
            case NOT_LOOPBACK_HOST:
                return Responses.text(HttpResponseStatus.FORBIDDEN,
                        "publishing without a token needs a loopback Host (localhost, 127.0.0.1, [::1])");
            case CROSS_ORIGIN:
                return Responses.text(HttpResponseStatus.FORBIDDEN,
                        "a web page may not publish without a token unless --cors-origin lists its origin");
            case WRONG_TOKEN: {
                FullHttpResponse response = Responses.text(HttpResponseStatus.UNAUTHORIZED, "wrong token");
                response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE,
                        "Bearer realm=\"ssecast\", error=\"invalid_token\"");
                return response;
            }
            default: {
                FullHttpResponse response = Responses.text(HttpResponseStatus.UNAUTHORIZED,
                        "publishing needs Authorization: Bearer <token>");
                response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"ssecast\"");
                return response;
            }
        }
    }

    /** Takes {@code content} (releases it). */
    void onContent(ChannelHandlerContext ctx, HttpContent content) {
        ByteBuf data = content.content();
        if (data.readableBytes() > http.maxEventBytes() - body.readableBytes()) {
            content.release();
            abandon();
            router.send(ctx, tooLarge(), false); // a body without a declared length ran over: close
            return;
        }
        body.writeBytes(data);
        content.release();
        if (content instanceof LastHttpContent) {
            finish(ctx);
        }
    }

    private void finish(ChannelHandlerContext ctx) {
        ByteBuf text = body;
        body = null;
        SseEvent event;
        try {
            event = http.rules().event(eventName, text.nioBuffer());
        } catch (IllegalArgumentException bad) {
            router.send(ctx, Responses.text(HttpResponseStatus.BAD_REQUEST, bad.getMessage()), keepAlive);
            return;
        } finally {
            text.release();
        }
        CompletableFuture<PublishResult> published = publish(topic, event);
        boolean keepAlive = this.keepAlive;
        if (published.isDone()) {
            router.send(ctx, reply(published), keepAlive);
            return;
        }
        router.awaitReply(ctx);
        published.whenCompleteAsync((result, failure) -> {
            router.send(ctx, reply(published), keepAlive);
            router.replyDone(ctx);
        }, ctx.executor());
    }

    private CompletableFuture<PublishResult> publish(String topic, SseEvent event) {
        try {
            return http.publisher().publish(topic, event).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The reply to a completed publish: 202 with the id; 400 with its message when the publisher refused the
     * input ({@link IllegalArgumentException}: trying again would not help); else 503 with {@code Retry-After}.
     */
    private FullHttpResponse reply(CompletableFuture<PublishResult> published) {
        PublishResult result;
        try {
            result = published.join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof IllegalArgumentException) {
                return Responses.text(HttpResponseStatus.BAD_REQUEST, String.valueOf(cause.getMessage()));
            }
            LOG.debug("publish failed", e);
            return unavailable("publishing failed; try again", retryAfterSeconds());
        }
        switch (result.status()) {
            case ACCEPTED:
                return Responses.of(HttpResponseStatus.ACCEPTED, Responses.JSON,
                        Unpooled.copiedBuffer("{\"id\":\"" + result.id() + "\"}", StandardCharsets.US_ASCII));
            case QUEUE_FULL:
                return unavailable("the publish queue is full; try again", "1");
            default:
                return unavailable("the server is shutting down; publish to another node", retryAfterSeconds());
        }
    }

    private static FullHttpResponse unavailable(String message, String retryAfter) {
        FullHttpResponse response = Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, message);
        response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter);
        return response;
    }

    private FullHttpResponse tooLarge() {
        return Responses.text(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                "the body is over --max-event-bytes (" + http.maxEventBytes() + " bytes)");
    }

    /** {@code Retry-After} in whole seconds for "come back later": {@code --retry}, at least 1. */
    private String retryAfterSeconds() {
        return http.retryAfterSeconds();
    }

    /** Releases a body being collected (the connection failed or closes). Idempotent. */
    void abandon() {
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
