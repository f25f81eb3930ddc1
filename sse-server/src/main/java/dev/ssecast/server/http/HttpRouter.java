package dev.ssecast.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import dev.ssecast.server.net.ClientAddress;
import dev.ssecast.server.net.ClientAddresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;

/**
 * Answers one connection's requests, in order. Single thread: the channel's event loop. It decides on each
 * request's head, before any body is read: bad input, unknown paths, wrong methods, refused publishes (draining,
 * auth, parameters, a declared body over the limit) are answered at once and their bodies discarded as they
 * arrive, so nobody can make the server buffer what it will not use. Only an accepted {@code POST /events} body
 * is collected, up to {@code --max-event-bytes}. {@code GET /events} goes on to the {@code SseHandler}; when
 * it became a stream, this handler and the request deadline leave the pipeline. A connection over
 * {@code --max-connections-per-ip} has its subscribe turned away with a retry and anything else answered 429.
 *
 * <p>A response that ends the connection ({@code Connection: close}, bad input, 413) is followed by a
 * {@linkplain Responses#lingeringClose lingering close}, and whatever arrives meanwhile is discarded.
 */
final class HttpRouter extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(HttpRouter.class);

    private final HttpInitializer http;
    private final PublishRoute publishing;
    /** A response that closes the connection was written: everything read is discarded. */
    private boolean closing;
    /** A publish reply is pending; what is read meanwhile waits in {@link #held}, in order. */
    private boolean awaitingReply;
    private final ArrayDeque<Object> held = new ArrayDeque<>(2);
    /** The {@code Origin} of the request being answered, for a listed-origin echo; null for none. */
    private String origin;

    HttpRouter(HttpInitializer http) {
        this.http = http;
        this.publishing = new PublishRoute(http, this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
        } else if (awaitingReply) {
            held.add(msg);
        } else if (msg instanceof FullHttpRequest) {
            // HTTP/2: a request whose HEADERS ended the stream comes whole; it is read as head, then body
            FullHttpRequest full = (FullHttpRequest) msg;
            HttpRequest head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(),
                    full.headers());
            head.setDecoderResult(full.decoderResult());
            LastHttpContent body = new DefaultLastHttpContent(full.content(), full.trailingHeaders()); // takes it
            try {
                channelRead(ctx, head);
            } catch (RuntimeException | Error failed) {
                body.release(); // the head's failure reaches exceptionCaught; the body goes nowhere
                throw failed;
            }
            if (ctx.isRemoved()) {
                body.release(); // it became a stream
            } else {
                channelRead(ctx, body);
            }
        } else if (msg instanceof HttpRequest) {
            onRequest(ctx, (HttpRequest) msg);
        } else if (msg instanceof HttpContent) {
            onContent(ctx, (HttpContent) msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void onRequest(ChannelHandlerContext ctx, HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            ReferenceCountUtil.release(request); // the codec's stand-in for what it could not parse
            badInput(ctx, request.decoderResult().cause());
            return;
        }
        HttpVersion version = request.protocolVersion();
        if (!"HTTP".equals(version.protocolName()) || version.majorVersion() != 1) {
            boolean http = "HTTP".equals(version.protocolName());
            send(ctx, Responses.text(http ? HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED
                    : HttpResponseStatus.BAD_REQUEST, http ? "only HTTP/1.0 and HTTP/1.1" : "malformed request"),
                    false);
            return;
        }
        if (hasControlCharacter(request.uri())) {
            // A request-target is visible ASCII (RFC 9112 3.2); the codec lets NUL and other controls through.
            send(ctx, Responses.text(HttpResponseStatus.BAD_REQUEST, "malformed request target"), false);
            return;
        }
        String path = Route.rawPath(request.uri());
        Route route = null;
        try {
            route = path == null ? null : Route.of(QueryStringDecoder.decodeComponent(path));
        } catch (IllegalArgumentException malformed) {
            answer(ctx, request, Responses.text(HttpResponseStatus.BAD_REQUEST, "malformed request target"));
            return;
        }
        ClientAddress client = ClientAddress.of(ctx.channel(), request);
        http.perAddress().track(ctx.channel(), client);
        if (http.perAddress().isOverLimit(ctx.channel())) {
            overAddressLimit(ctx, request, route);
            return;
        }
        if (route == null) {
            answer(ctx, request, Responses.text(HttpResponseStatus.NOT_FOUND, "no such path; try /events"));
            return;
        }
        origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (http.loopbackHostsOnly() && !PublishAuth.isLoopbackHost(request.headers().get(HttpHeaderNames.HOST))) {
            // Loopback mode on a loopback listener: a page whose name was rebound to 127.0.0.1 reads nothing.
            http.metrics().refused(Refusal.FORBIDDEN);
            send(ctx, Responses.text(HttpResponseStatus.FORBIDDEN,
                    "this server answers loopback names only (localhost, 127.0.0.1, [::1])"), false);
            return;
        }
        HttpMethod method = request.method();
        if (!route.allows(method)) {
            FullHttpResponse response = Responses.text(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    method + " is not allowed here; allowed: " + route.allow());
            response.headers().set(HttpHeaderNames.ALLOW, route.allow());
            answer(ctx, request, response);
            return;
        }
        switch (route) {
            case EVENTS:
                if (HttpMethod.GET.equals(method)) {
                    stream(ctx, request);
                } else if (HttpMethod.POST.equals(method)) {
                    publishing.onHead(ctx, request);
                } else {
                    answer(ctx, request, preflight());
                }
                break;
            case HEALTHZ:
                answer(ctx, request, Responses.text(HttpResponseStatus.OK, "ok"));
                break;
            case READYZ:
                String unready = http.unreadyReason();
                answer(ctx, request, unready != null
                        ? Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, unready)
                        : Responses.text(HttpResponseStatus.OK, "ready"));
                break;
            case METRICS:
                Refusal refusal = http.metricsAccess().check(client,
                        request.headers().get(HttpHeaderNames.AUTHORIZATION));
                if (refusal != null) {
                    http.metrics().refused(refusal);
                    answer(ctx, request, metricsRefusal(refusal));
                    return;
                }
                answer(ctx, request, Responses.of(HttpResponseStatus.OK, ServerMetrics.CONTENT_TYPE,
                        http.metrics().scrape(ctx.alloc())));
                break;
            default:
                answer(ctx, request, page(client));
        }
    }

    /**
     * The client address holds more connections than it may: a subscribe gets what a full server gives (200, a
     * jittered retry, the end of the stream: an EventSource gives up for good on any other status), anything else
     * 429 and a close. Both count as {@code per-address} (the turned-away subscribe in its SseHandler).
     */
    private void overAddressLimit(ChannelHandlerContext ctx, HttpRequest request, Route route) {
        if (route == Route.EVENTS && HttpMethod.GET.equals(request.method())) { // a HEAD /events too gets 429
            ctx.pipeline().replace(HttpInitializer.STREAMS, HttpInitializer.STREAMS, http.turnAway());
            stream(ctx, request);
            return;
        }
        http.metrics().refused(Refusal.PER_ADDRESS);
        FullHttpResponse response = Responses.text(HttpResponseStatus.TOO_MANY_REQUESTS,
                "too many connections from your address");
        response.headers().set(HttpHeaderNames.RETRY_AFTER, http.retryAfterSeconds());
        send(ctx, response, false);
    }

    private FullHttpResponse metricsRefusal(Refusal refusal) {
        if (refusal == Refusal.FORBIDDEN) {
            return Responses.text(HttpResponseStatus.FORBIDDEN,
                    "/metrics is limited to loopback clients (the server has no --metrics-token)");
        }
        FullHttpResponse response = Responses.text(HttpResponseStatus.UNAUTHORIZED,
                "/metrics needs Authorization: Bearer <--metrics-token>");
        response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"ssecast\"");
        return response;
    }

    /** Hands a subscribe to the SseHandler; when it became a stream, leaves it to the stream sink. */
    private void stream(ChannelHandlerContext ctx, HttpRequest request) {
        ctx.fireChannelRead(request);
        if (ctx.pipeline().get(HttpInitializer.STREAMS) == null) { // the SseHandler became the stream sink
            http.streamOpened(ctx.channel());
            if (ctx.pipeline().get(RequestDeadline.NAME) != null) {
                ctx.pipeline().remove(RequestDeadline.NAME); // streams have no deadline
            }
            ctx.pipeline().remove(this);
            ClientAddress.forgetRequest(ctx.channel()); // a stream lives for hours: it keeps no request
        }
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        if (content.decoderResult().isFailure()) {
            content.release();
            publishing.abandon();
            badInput(ctx, content.decoderResult().cause());
        } else if (publishing.isCollecting()) {
            publishing.onContent(ctx, content);
        } else {
            content.release(); // the body of a request answered on its head
        }
    }

    private static boolean hasControlCharacter(String target) {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    /** Input the codec could not parse: 414 or 431 for what was too long, else 400; then close. */
    private void badInput(ChannelHandlerContext ctx, Throwable cause) {
        HttpResponseStatus status = cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                : cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : HttpResponseStatus.BAD_REQUEST;
        String message = status == HttpResponseStatus.BAD_REQUEST ? "malformed request" : cause.getMessage();
        send(ctx, Responses.text(status, message), false);
    }

    private FullHttpResponse preflight() {
        FullHttpResponse response = Responses.of(HttpResponseStatus.NO_CONTENT, null, Unpooled.EMPTY_BUFFER);
        response.headers()
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, Route.EVENTS.allow())
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Last-Event-ID, Authorization, Content-Type")
                .set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "86400");
        return response;
    }

    private FullHttpResponse page(ClientAddress client) {
        byte[] html = http.page().render(http.auth().mode(client.socketAddress()));
        FullHttpResponse response = Responses.of(HttpResponseStatus.OK, "text/html; charset=utf-8",
                Unpooled.wrappedBuffer(html));
        response.headers()
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, http.page().contentSecurityPolicy())
                .set("x-content-type-options", "nosniff");
        return response;
    }

    /**
     * Answers {@code request} on its head: its body, if any, is discarded as it arrives. A request that expected
     * {@code 100 Continue} gets none, so it may never send its body: then the connection is closed.
     */
    void answer(ChannelHandlerContext ctx, HttpRequest request, FullHttpResponse response) {
        send(ctx, response, HttpUtil.isKeepAlive(request) && !HttpUtil.is100ContinueExpected(request));
    }

    /** Writes {@code response} (taking it), with CORS and keep-alive headers; closes after it unless kept alive. */
    void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (!http.corsOrigins().isEmpty()) {
            if (origin != null && http.corsOrigins().contains(origin)) {
                response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
                        .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
            }
            response.headers().add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        } else if (http.corsOrigin() != null) {
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, http.corsOrigin());
            if (!"*".equals(http.corsOrigin())) {
                response.headers().add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
            }
        }
        HttpUtil.setContentLength(response, response.content().readableBytes());
        HttpUtil.setKeepAlive(response, keepAlive);
        ChannelFuture written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            closing = true;
            Responses.lingeringClose(written);
        }
    }

    /** Writes {@code 100 Continue}, for a publish whose body the client is waiting to send. */
    void sendContinue(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                Unpooled.EMPTY_BUFFER));
    }

    /** Holds further requests until {@link #replyDone} (the publisher answers asynchronously). */
    void awaitReply(ChannelHandlerContext ctx) {
        awaitingReply = true;
        ctx.channel().config().setAutoRead(false);
    }

    /** Resumes after an asynchronous publish reply: handles what was read meanwhile, in order. */
    void replyDone(ChannelHandlerContext ctx) {
        awaitingReply = false;
        Object msg;
        while (!awaitingReply && (msg = held.poll()) != null) {
            channelRead(ctx, msg);
        }
        if (!awaitingReply) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ClientAddresses.KNOWN) {
            http.perAddress().track(ctx.channel(), ClientAddress.of(ctx.channel())); // from the PROXY header
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseState();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseState();
    }

    private void releaseState() {
        publishing.abandon();
        Object msg;
        while ((msg = held.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ClientAddress client = ClientAddress.of(ctx.channel());
        if (ctx.channel() instanceof Http2StreamChannel && Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            // The client broke the protocol on this stream: Netty's multiplexer resets it with the error's code
            // once this returns, and counts it against its bound on provoked resets. A close here would reset it
            // with CANCEL, which that bound does not count.
            LOG.debug("stream {} of client {}: {}", ctx.channel(), client, cause.getMessage());
            return;
        }
        if (cause instanceof IOException) {
            LOG.debug("connection {} of client {} failed; closing", ctx.channel(), client, cause);
        } else {
            LOG.warn("connection {} of client {} failed; closing", ctx.channel(), client, cause);
        }
        ctx.close();
    }
}
