package dev.ssecast.server.http;

import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseHandler;
import dev.ssecast.core.SseSubscription;
import dev.ssecast.server.auth.Admission;
import dev.ssecast.server.auth.Authorizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import dev.ssecast.server.net.AddressConnections;
import dev.ssecast.server.net.ClientAddress;
import dev.ssecast.server.net.ClientAddresses;
import dev.ssecast.server.net.PublishRate;
import dev.ssecast.server.net.TrustedProxies;
import dev.ssecast.server.tls.ServerTls;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Sets up each accepted connection: {@code [proxy-protocol → proxy-source] → [tls] → protocol (PrefaceSwitch, or
 * AlpnSwitch over TLS) → http (HttpServerCodec) → request-deadline → router → sse (SseHandler)}. The router
 * answers everything but {@code GET /events}, which it hands to the {@link SseHandler}; once a connection becomes a
 * stream only the stream sink is left. A connection the protocol switch finds to be HTTP/2 trades the HTTP/1.1
 * handlers for the HTTP/2 codec, the stream multiplexer and {@link H2Connection}; each of its streams gets
 * {@code http (Http2StreamFrameToHttpObjectCodec) → request-deadline → router → sse} of its own, so streams follow
 * the same routes and rules as HTTP/1.1 requests. Holds what every connection shares (settings, the live page, the
 * open connection and stream counts, the HTTP/2 connections for the drain), so one instance serves the whole
 * server.
 *
 * <p>Limits are fixed: a request line of at most {@value #MAX_INITIAL_LINE_BYTES} bytes (else 414), headers of at
 * most {@value #MAX_HEADER_BYTES} bytes (else 431). Each request must arrive within {@code --request-timeout}
 * ({@link RequestDeadline}).
 */
@ChannelHandler.Sharable
public final class HttpInitializer extends ChannelInitializer<Channel> {
    static final int MAX_INITIAL_LINE_BYTES = 8192;
    static final int MAX_HEADER_BYTES = 16384;
    static final String STREAMS = "sse";

    private final Publisher publisher;
    private final ServerMetrics metrics;
    private final PublishRules rules;
    private final Duration retry;
    private final String corsOrigin;
    private final PublishAuth auth;
    private final Authorizer authorizer;
    private final Set<String> corsOrigins;
    /** Loopback mode on a loopback listener: every request must name a loopback host (DNS rebinding). */
    private final boolean loopbackHostsOnly;
    private final int maxConnections;
    private final int acceptLimit;
    private final BooleanSupplier draining;
    private final Supplier<String> unready;
    private final SseHandler streams;
    private final LivePage page = LivePage.load();
    private final AtomicInteger open = new AtomicInteger();
    // Abuse limits (issue 9): the real client address, and what is kept per address.
    private final ClientAddresses clientAddresses;
    private final AddressConnections perAddress;
    private final long requestTimeoutNanos;
    private final PublishRate publishRate;
    private final MetricsAccess metricsAccess;
    private final SseHandler turnAway;
    /** TLS on the listener, or null for plain HTTP. */
    private final ServerTls tls;
    // HTTP/2 (issue 11): streams over every connection, and what one HTTP/2 connection may hold.
    private final int maxStreams;
    private final int maxStreamsPerConnection;
    private final long maxConnectionQueuedBytes;
    /** Streams open now, over either protocol. */
    private final AtomicInteger openStreams = new AtomicInteger();
    /** The HTTP/2 connections open now, for the drain's GOAWAYs. */
    private final ChannelGroup h2Connections = new DefaultChannelGroup("ssecast-h2", GlobalEventExecutor.INSTANCE);
    private final ChannelInitializer<Http2StreamChannel> streamInitializer = new ChannelInitializer<>() {
        @Override
        protected void initChannel(Http2StreamChannel stream) {
            stream.pipeline()
                    .addLast("http", new Http2StreamFrameToHttpObjectCodec(true))
                    .addLast(RequestDeadline.NAME, new RequestDeadline(requestTimeoutNanos, metrics))
                    .addLast("router", new HttpRouter(HttpInitializer.this))
                    .addLast(STREAMS, streams);
        }
    };

    private HttpInitializer(Builder b) {
        this.tls = b.tls;
        this.maxStreams = b.maxStreams;
        this.maxStreamsPerConnection = b.maxStreamsPerConnection;
        this.maxConnectionQueuedBytes = b.maxConnectionQueuedBytes;
        this.publisher = b.publisher == null ? Publisher.of(b.broadcaster) : b.publisher;
        this.metrics = b.metrics;
        this.rules = new PublishRules(b.maxEventBytes);
        this.retry = b.retry;
        this.corsOrigin = b.corsOrigin;
        this.authorizer = b.authorizer;
        this.corsOrigins = b.corsOrigins;
        this.auth = new PublishAuth(b.publishToken, authorizer.enabled(), corsOrigins);
        this.loopbackHostsOnly = auth.isLoopbackMode() && b.listensOnLoopback;
        this.maxConnections = b.maxConnections;
        this.acceptLimit = b.acceptLimit;
        this.draining = b.draining;
        this.unready = b.unready;
        this.streams = SseHandler.builder(b.broadcaster)
                .matching(request -> HttpMethod.GET.equals(request.method()))
                .subscriber(this::subscribe)
                .retry(b.retry)
                .corsOrigin(b.corsOrigins.isEmpty() ? b.corsOrigin : null)
                .corsOrigins(b.corsOrigins)
                .build();
        metrics.watchConnections(open::get, maxConnections);
        metrics.watchStreams(openStreams::get, maxStreams, h2Connections::size);
        this.clientAddresses = new ClientAddresses(b.trustedProxies, b.proxyProtocol);
        this.perAddress = new AddressConnections(b.maxConnectionsPerAddress);
        this.requestTimeoutNanos = b.requestTimeout.toNanos();
        this.publishRate = b.publishRate;
        this.metricsAccess = new MetricsAccess(b.metricsToken);
        this.turnAway = SseHandler.builder(b.broadcaster)
                .matching(request -> HttpMethod.GET.equals(request.method()))
                .subscriber(request -> {
                    metrics.refused(Refusal.PER_ADDRESS);
                    return SseSubscription.retryLater(jitteredRetry());
                })
                .retry(b.retry)
                .corsOrigin(b.corsOrigins.isEmpty() ? b.corsOrigin : null) // as the streams it stands in for
                .corsOrigins(b.corsOrigins)
                .build();
    }

    public static Builder builder(SseBroadcaster broadcaster) {
        return new Builder(broadcaster);
    }

    @Override
    protected void initChannel(Channel ch) {
        int connections = open.incrementAndGet();
        ch.closeFuture().addListener(closed -> open.decrementAndGet());
        if (connections > acceptLimit) {
            ch.close(); // past the reserve of file descriptors: not even an answer
            return;
        }
        // RFC 9112 framing, whatever io.netty.handler.codec.http.rfc9112TransferEncoding says: Content-Length
        // with Transfer-Encoding (request smuggling), or Transfer-Encoding in HTTP/1.0, is a 400, not a guess.
        HttpDecoderConfig limits = new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE_BYTES)
                .setMaxHeaderSize(MAX_HEADER_BYTES)
                .setUseRfc9112TransferEncoding(true);
        ClientAddress client = clientAddresses.accepted(ch); // may put the PROXY header decoder first
        if (client != null) {
            perAddress.track(ch, client);
        }
        if (tls != null) {
            // After a PROXY header (which precedes the handshake). The handshake counts against the request
            // deadline: the deadline's 408 cannot pass a handshake that never completes, so the handshake's own
            // timeout is the same and closes the connection.
            SslHandler handshake = tls.newHandler(ch.alloc());
            handshake.setHandshakeTimeout(requestTimeoutNanos, TimeUnit.NANOSECONDS);
            ch.pipeline().addLast("tls", handshake);
        }
        // HTTP/2 by ALPN over TLS, by its preface on the plain port; until then (and for good if not) HTTP/1.1.
        ch.pipeline()
                .addLast(PrefaceSwitch.NAME, tls != null ? new AlpnSwitch(this) : new PrefaceSwitch(this))
                .addLast("http", new HttpServerCodec(limits))
                .addLast(RequestDeadline.NAME, new RequestDeadline(requestTimeoutNanos, metrics))
                .addLast("router", new HttpRouter(this))
                .addLast(STREAMS, streams);
    }

    /**
     * Makes the connection HTTP/2: its HTTP/1.1 handlers leave, and the HTTP/2 codec, the stream multiplexer and
     * the connection's guard come after {@code after} ({@link H2Connection}). Each stream then gets the HTTP/1.1
     * handlers of its own ({@link #streamInitializer}).
     */
    void serveHttp2(ChannelPipeline pipeline, String after) {
        pipeline.remove("http");
        pipeline.remove(RequestDeadline.NAME);
        pipeline.remove("router");
        pipeline.remove(STREAMS);
        H2Connection.install(pipeline, after, this);
    }

    /** Counts an HTTP/2 connection until it closes; its streams get the drain's GOAWAYs. */
    void h2Opened(Channel connection) {
        h2Connections.add(connection);
    }

    /** Counts a stream, HTTP/1.1 or HTTP/2, until its channel closes. Call on its event loop. */
    void streamOpened(Channel stream) {
        openStreams.incrementAndGet();
        stream.closeFuture().addListener(closed -> openStreams.decrementAndGet());
    }

    /**
     * The drain's first step on HTTP/2: every connection gets a graceful {@code GOAWAY} (its clients open no new
     * stream here; the streams they open meanwhile are still answered, with a retry).
     */
    public void announceDrain() {
        forEachHttp2Connection(H2Connection::announceDrain);
    }

    /**
     * The drain's last step on HTTP/2: every connection gets the final {@code GOAWAY}, naming the last stream its
     * client opened, and is closed. Completes once they are closed.
     */
    public ChannelGroupFuture closeHttp2Connections() {
        ChannelGroupFuture closed = h2Connections.newCloseFuture();
        forEachHttp2Connection(H2Connection::closeGracefully);
        return closed;
    }

    private void forEachHttp2Connection(BiConsumer<H2Connection, ChannelHandlerContext> action) {
        for (Channel connection : h2Connections) {
            connection.eventLoop().execute(() -> {
                H2Connection guard = H2Connection.of(connection.pipeline());
                ChannelHandlerContext ctx = connection.pipeline().context(H2Connection.NAME);
                if (guard != null && ctx != null) {
                    action.accept(guard, ctx);
                }
            });
        }
    }

    ChannelInitializer<Http2StreamChannel> streamInitializer() {
        return streamInitializer;
    }

    int maxStreamsPerConnection() {
        return maxStreamsPerConnection;
    }

    long maxConnectionQueuedBytes() {
        return maxConnectionQueuedBytes;
    }

    long requestTimeoutNanos() {
        return requestTimeoutNanos;
    }

    /** The subscription of a {@code GET /events}; runs on the channel's event loop, inside the SseHandler. */
    private SseSubscription subscribe(HttpRequest request) {
        Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
        List<String> topics = Names.subscriptionTopics(query.get("topic"));
        boolean isDraining = draining.getAsBoolean();
        if (isDraining || open.get() > maxConnections || openStreams.get() >= maxStreams) {
            metrics.streamTurnedAway(isDraining ? "draining" : open.get() > maxConnections ? "capacity" : "streams");
            return SseSubscription.retryLater(jitteredRetry());
        }
        Admission admission = authorizer.stream(request, query, topics);
        if (!admission.allowed()) {
            // nothing streamed, nothing replayed: the refusal is answered before the stream exists
            boolean unauthorized = admission.outcome() == Admission.Outcome.UNAUTHORIZED;
            metrics.refused(unauthorized ? Refusal.UNAUTHORIZED : Refusal.FORBIDDEN);
            return SseSubscription.refuse(unauthorized ? HttpResponseStatus.UNAUTHORIZED
                    : HttpResponseStatus.FORBIDDEN, admission.message())
                    .withHeader(HttpHeaderNames.WWW_AUTHENTICATE.toString(), admission.wwwAuthenticate());
        }
        SseSubscription subscription = SseSubscription.of(topics, SseHandler.lastEventId(request, query));
        return admission.deadline() == null ? subscription : subscription.until(admission.deadline());
    }

    /** The address a request's refusals are counted against: its real client's, grouped (IPv6 by /64). */
    InetAddress clientAddress(Channel channel, HttpRequest request) {
        return ClientAddress.of(channel, request).group();
    }

    /** {@code --retry} plus a random jitter of up to as much again, so that turned-away clients spread out. */
    Duration jitteredRetry() {
        long base = retry.toMillis();
        return Duration.ofMillis(base + ThreadLocalRandom.current().nextLong(base + 1));
    }

    /** Connections open now, streams included. */
    public int openConnections() {
        return open.get();
    }

    Publisher publisher() {
        return publisher;
    }

    ServerMetrics metrics() {
        return metrics;
    }

    int maxEventBytes() {
        return rules.maxDataBytes();
    }

    PublishRules rules() {
        return rules;
    }

    Duration retry() {
        return retry;
    }

    /** {@code --retry} in whole seconds, at least 1, for {@code Retry-After}. */
    String retryAfterSeconds() {
        return Long.toString(Math.max(1, (retry.toMillis() + 999) / 1000));
    }

    String corsOrigin() {
        return corsOrigin;
    }

    PublishAuth auth() {
        return auth;
    }

    Authorizer authorizer() {
        return authorizer;
    }

    /** Origins echoed with credentials (from a {@code --cors-origin} list); empty for {@code *} or none. */
    Set<String> corsOrigins() {
        return corsOrigins;
    }

    boolean loopbackHostsOnly() {
        return loopbackHostsOnly;
    }

    boolean isDraining() {
        return draining.getAsBoolean();
    }

    /** Why {@code /readyz} answers 503 now ("draining", or what the node waits for), or null when ready. */
    String unreadyReason() {
        return draining.getAsBoolean() ? "draining" : unready.get();
    }

    LivePage page() {
        return page;
    }

    /** Connections per client address. */
    AddressConnections perAddress() {
        return perAddress;
    }

    /** The SseHandler that turns every subscriber away with a jittered retry, counted as {@code per-address}. */
    SseHandler turnAway() {
        return turnAway;
    }

    /** The publish rate per client address, or null when unlimited. */
    PublishRate publishRate() {
        return publishRate;
    }

    MetricsAccess metricsAccess() {
        return metricsAccess;
    }

    /** Settings of the HTTP tier; checked in {@link #build()}. */
    public static final class Builder {
        private ServerTls tls;
        private final SseBroadcaster broadcaster;
        private Publisher publisher;
        private ServerMetrics metrics;
        private int maxEventBytes = 65_536;
        private Duration retry = Duration.ofSeconds(3);
        private String corsOrigin = "*";
        private String publishToken;
        private Authorizer authorizer = Authorizer.builder().build();
        private Set<String> corsOrigins = Set.of();
        private boolean listensOnLoopback;
        private int maxConnections = 10_000;
        private int acceptLimit = 10_064;
        private BooleanSupplier draining = () -> false;
        private Supplier<String> unready = () -> null;
        private TrustedProxies trustedProxies = TrustedProxies.NONE;
        private boolean proxyProtocol;
        private int maxConnectionsPerAddress = 256;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private PublishRate publishRate;
        private String metricsToken;
        private int maxStreams = 100_000;
        private int maxStreamsPerConnection = 1000;
        private long maxConnectionQueuedBytes = 64L << 20;

        private Builder(SseBroadcaster broadcaster) {
            this.broadcaster = Objects.requireNonNull(broadcaster, "broadcaster");
        }

        /** Where publishes go. Default: straight to the broadcaster ({@link Publisher#of}). */
        public Builder publisher(Publisher publisher) {
            this.publisher = Objects.requireNonNull(publisher, "publisher");
            return this;
        }

        /** The metrics to expose at {@code /metrics}; required. */
        public Builder metrics(ServerMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** Largest publish body in bytes; within [1, 16 MiB]. Default 65,536. */
        public Builder maxEventBytes(int maxEventBytes) {
            this.maxEventBytes = maxEventBytes;
            return this;
        }

        /** The {@code retry:} streams start with; turned-away streams get it plus jitter. Default 3s. */
        public Builder retry(Duration retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** {@code Access-Control-Allow-Origin} of every response, or null for none. Default {@code *}. */
        public Builder corsOrigin(String corsOrigin) {
            this.corsOrigin = corsOrigin;
            return this;
        }

        /** The bearer token publishing requires, or null (the default) to allow loopback peers only. */
        public Builder publishToken(String publishToken) {
            this.publishToken = publishToken;
            return this;
        }

        /**
         * Who may read and publish which topics; the origins of a {@code --cors-origin} list, echoed with
         * credentials (they replace {@link #corsOrigin} when not empty); whether the listener is on a loopback
         * address. Default: every topic open, no list, not loopback.
         */
        public Builder authorization(Authorizer authorizer, Set<String> corsOrigins, boolean listensOnLoopback) {
            this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
            this.corsOrigins = Set.copyOf(corsOrigins);
            this.listensOnLoopback = listensOnLoopback;
            return this;
        }

        /**
         * Connections served ({@code max}: beyond it, subscribers are told to retry later) and held
         * ({@code acceptLimit}: beyond it, a new connection is closed unanswered); {@code 1 <= max <= acceptLimit}.
         */
        public Builder connectionLimits(int max, int acceptLimit) {
            this.maxConnections = max;
            this.acceptLimit = acceptLimit;
            return this;
        }

        /** Whether the server is draining: {@code /readyz} answers 503, subscribers and publishers are turned away. */
        public Builder draining(BooleanSupplier draining) {
            this.draining = Objects.requireNonNull(draining, "draining");
            return this;
        }

        /**
         * Why the node cannot serve now besides draining (e.g. "redis unreachable"), or null when it can:
         * {@code /readyz} answers 503 with it. Default: always ready.
         */
        public Builder unready(Supplier<String> unready) {
            this.unready = Objects.requireNonNull(unready, "unready");
            return this;
        }

        /**
         * Where the real client address comes from: the PROXY protocol header of a {@code trusted} peer when
         * {@code proxyProtocol}, else the forwarding headers of a trusted peer. Default: nobody trusted.
         */
        public Builder clientAddresses(TrustedProxies trusted, boolean proxyProtocol) {
            this.trustedProxies = Objects.requireNonNull(trusted, "trusted");
            this.proxyProtocol = proxyProtocol;
            return this;
        }

        /** Connections one client address may hold, 0 for no limit; beyond it 429 or a retry. Default 256. */
        public Builder maxConnectionsPerAddress(int max) {
            this.maxConnectionsPerAddress = max;
            return this;
        }

        /** How long a request may take to arrive, from the accept or the previous response. Default 10s. */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
            return this;
        }

        /** The publish rate per client address, or null (the default) for none. */
        public Builder publishRate(PublishRate publishRate) {
            this.publishRate = publishRate;
            return this;
        }

        /** TLS for every connection, or null (the default) for plain HTTP. */
        public Builder tls(ServerTls tls) {
            this.tls = tls;
            return this;
        }

        /** The bearer token {@code /metrics} takes from clients that are not loopback, or null: loopback only. */
        public Builder metricsToken(String metricsToken) {
            this.metricsToken = metricsToken;
            return this;
        }

        /**
         * Streams served over both protocols ({@code maxStreams}: beyond it, subscribers are told to retry later),
         * the streams one HTTP/2 connection may open at once ({@code SETTINGS_MAX_CONCURRENT_STREAMS}), and the
         * bytes one HTTP/2 connection may have waiting for its flow-control windows, summed over its streams
         * (beyond it, {@code GOAWAY} and close). Defaults 100,000, 1,000 and 64 MiB.
         */
        public Builder streamLimits(int maxStreams, int maxStreamsPerConnection, long maxConnectionQueuedBytes) {
            this.maxStreams = maxStreams;
            this.maxStreamsPerConnection = maxStreamsPerConnection;
            this.maxConnectionQueuedBytes = maxConnectionQueuedBytes;
            return this;
        }

        public HttpInitializer build() {
            if (maxStreams < 1 || maxStreamsPerConnection < 1 || maxConnectionQueuedBytes < 1) {
                throw new IllegalArgumentException("stream limits must be at least 1, was max streams " + maxStreams
                        + ", per connection " + maxStreamsPerConnection + ", queued bytes per connection "
                        + maxConnectionQueuedBytes);
            }
            Objects.requireNonNull(metrics, "metrics");
            if (maxEventBytes < 1 || maxEventBytes > 16 << 20) {
                throw new IllegalArgumentException("max event bytes must be within [1, " + (16 << 20) + "], was "
                        + maxEventBytes);
            }
            if (maxConnections < 1 || acceptLimit < maxConnections) {
                throw new IllegalArgumentException("connection limits must be 1 <= max <= accept limit, was max "
                        + maxConnections + ", accept limit " + acceptLimit);
            }
            if (maxConnectionsPerAddress < 0) {
                throw new IllegalArgumentException("connections per address must be at least 0, was "
                        + maxConnectionsPerAddress);
            }
            if (requestTimeout.compareTo(Duration.ofMillis(1)) < 0) {
                throw new IllegalArgumentException("request timeout must be at least 1ms, was " + requestTimeout);
            }
            return new HttpInitializer(this);
        }
    }
}
