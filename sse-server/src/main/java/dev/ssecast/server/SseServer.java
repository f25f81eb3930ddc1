package dev.ssecast.server;

import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import dev.ssecast.server.cluster.RedisStreamLog;
import dev.ssecast.server.cluster.StreamReader;
import dev.ssecast.server.http.HttpInitializer;
import dev.ssecast.server.tls.ServerTls;
import dev.ssecast.server.http.PublishRules;
import dev.ssecast.server.http.Publisher;
import dev.ssecast.server.http.ServerMetrics;
import dev.ssecast.server.net.PublishRate;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One running server: the broadcaster, the event loops, the listener and the metrics, from {@link #start} to
 * {@link #close}. {@link #drain} is the graceful way out: readiness turns 503 at once, streams are ended spread
 * over {@code --drain} with a jittered {@code retry:}, then everything closes. Thread-safe.
 */
public final class SseServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SseServer.class);
    private static final String DEMO_TOPIC = "default";

    private final ServerOptions options;
    private final SseBroadcaster broadcaster;
    private final EventLoopGroup group;
    private final HttpInitializer http;
    private final ConnectionCap cap;
    /** How long the drain waits for HTTP/2 connections to send their final GOAWAY and close. */
    private static final long H2_CLOSE_WAIT_MILLIS = 2000;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final LeakDetection.Decision leakDetection;
    private final String transportName;
    private final Class<? extends ServerChannel> serverChannel;
    private final int threads;
    private final Publisher publisher;
    /** The distributed mode's log and reader; null in memory mode. */
    private final RedisStreamLog redis;
    private final StreamReader reader;
    /** Checks --tls-cert and --tls-key for a new pair; null without TLS. */
    private ScheduledExecutorService tlsReload;
    private Channel listener;
    private ScheduledFuture<?> demo;

    private SseServer(ServerOptions options, ConnectionCap cap, LeakDetection.Decision leakDetection) {
        this.options = options;
        this.cap = cap;
        this.leakDetection = leakDetection;
        ServerMetrics metrics = new ServerMetrics();
        Transport.Resolved transport = options.transport().resolve();
        if (transport.fallbackReason() != null) {
            LOG.warn("--transport {}: {}; using {}", options.transport(), transport.fallbackReason(),
                    transport.name());
        }
        SseBroadcaster.Builder settings = SseBroadcaster.builder()
                .tick(options.tick())
                .heartbeat(options.heartbeat())
                .replay(options.replay(), options.replayBytes())
                .publishQueue(options.publishQueue())
                .tickObserver(metrics::observeTick);
        if (options.redis() != null) {
            // The shared stream is trimmed to about the replay window; its entry ids are the events' ids.
            this.redis = new RedisStreamLog(options.redis(), options.redisStream(), options.replay(),
                    new PublishRules(options.maxEventBytes()), transport.name());
            this.broadcaster = settings.suppliedIds().history(redis).build();
            this.reader = new StreamReader(redis, broadcaster);
            this.publisher = (topic, event) -> reader.isReading() ? redis.publish(topic, event)
                    : CompletableFuture.failedFuture(new IllegalStateException("not reading the shared stream"));
            metrics.watchReader(reader::isReading, reader::lagMillis, reader::outages, redis::entriesSkipped);
        } else {
            this.redis = null;
            this.reader = null;
            this.broadcaster = settings.build();
            this.publisher = Publisher.of(broadcaster);
        }
        metrics.watch(broadcaster);
        ServerTls tls = options.tls();
        if (tls != null) {
            metrics.watchTls(() -> tls.certificate().getNotAfter().getTime(), tls::refusals);
        }
        this.http = HttpInitializer.builder(broadcaster)
                .publisher(publisher)
                .metrics(metrics)
                .maxEventBytes(options.maxEventBytes())
                .retry(options.retry())
                .corsOrigin(options.corsOrigin())
                .publishToken(options.publishToken())
                .authorization(options.authorizer(), options.corsOrigins(), isLoopback(options.host()))
                .connectionLimits(cap.max(), cap.acceptLimit())
                .draining(draining::get)
                .unready(this::unreadyReason)
                .clientAddresses(options.trustedProxies(), options.proxyProtocol())
                .maxConnectionsPerAddress(options.maxConnectionsPerIp())
                .requestTimeout(options.requestTimeout())
                .publishRate(options.publishRate() == 0 ? null
                        : new PublishRate(options.publishRate(), options.publishBurst(), System::nanoTime))
                .metricsToken(options.metricsToken())
                .tls(options.tls())
                .streamLimits(options.maxStreams(), options.maxStreamsPerConnection(),
                        options.maxConnectionQueued())
                .build();
        this.threads = options.ioThreads() == 0 ? Runtime.getRuntime().availableProcessors() : options.ioThreads();
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("ssecast-io"),
                transport.ioHandlerFactory());
        this.transportName = transport.name();
        this.serverChannel = transport.serverChannel();
    }

    /** Whether the server listens on a loopback address only, so that no remote client is expected. */
    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false; // bind reports it
        }
    }

    /** Why the node cannot serve now (besides draining), or null: /readyz answers 503 with it. */
    private String unreadyReason() {
        if (!broadcaster.isHealthy()) {
            return "the broadcaster's tick is failing (see ssecast_tick_failures_total)";
        }
        return reader != null && !reader.isReading() ? "not reading the shared Redis Stream" : null;
    }

    /**
     * Starts a server: sets Netty's leak detection level ({@code --leak-detection}, unless the JVM was given
     * {@code -Dio.netty.leakDetection.level}) before any of its buffers is allocated, decides the connection cap
     * from the open-file limit, binds, and logs where it listens.
     *
     * @throws StartupException when it cannot listen (the address is taken, say); nothing is left running then
     */
    public static SseServer start(ServerOptions options) {
        LeakDetection.Decision leakDetection = LeakDetection.apply(options.leakDetection());
        ConnectionCap cap = ConnectionCap.decide(options.maxConnections(), ConnectionCap.readOpenFileLimit());
        if (cap.warning() != null) {
            LOG.warn(cap.warning());
        }
        SseServer server = new SseServer(options, cap, leakDetection);
        try {
            if (server.reader != null) {
                LOG.info("distributed mode: Redis Stream '{}' at {}", options.redisStream(),
                        ServerOptions.redactPassword(options.redis()));
                server.reader.start();
            }
            options.authorizer().start(); // a remote JWK set is fetched in the background from now on
            server.bind();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void bind() {
        InetSocketAddress requested = new InetSocketAddress(options.host(), options.port());
        var bound = new ServerBootstrap()
                .group(group)
                .channel(serverChannel)
                .option(ChannelOption.SO_BACKLOG, NetUtil.SOMAXCONN) // net.core.somaxconn: the operator's to raise
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(http)
                .bind(requested)
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new StartupException("cannot listen on " + options.host() + ":" + options.port() + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        listener = bound.channel();
        LOG.info("listening on {}://{}:{} ({}, {} event loops)", options.tls() == null ? "http" : "https",
                options.host(), address().getPort(), transportName, threads);
        ServerTls tls = options.tls();
        if (tls != null) {
            LOG.info("TLS: certificate {} (serial {}, valid until {}); TLS 1.3 and 1.2, ALPN h2 and http/1.1, {}; the "
                            + "files are checked for a new pair every {}",
                    tls.certificate().getSubjectX500Principal().getName(),
                    tls.certificate().getSerialNumber().toString(16), tls.certificate().getNotAfter().toInstant(),
                    tls.provider(), OptionValues.format(options.tlsReloadCheck()));
            if (tls.openSslUnavailable() != null) {
                LOG.info("TLS: OpenSSL does not load here ({}), so the JDK's provider serves the handshakes, at "
                        + "about half OpenSSL's handshakes per core", tls.openSslUnavailable());
            }
            long every = options.tlsReloadCheck().toMillis();
            // Its own thread: reading files (a network mount, say) and building a context never stall a loop.
            tlsReload = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("ssecast-tls-reload",
                    true));
            tlsReload.scheduleWithFixedDelay(() -> {
                try {
                    tls.reloadIfChanged();
                } catch (RuntimeException | Error e) {
                    LOG.warn("TLS: the check for a new certificate failed; trying again in {}",
                            OptionValues.format(options.tlsReloadCheck()), e);
                }
            }, every, every, TimeUnit.MILLISECONDS);
        }
        LOG.info("limits: max connections {} (open-file limit {}), max event {} bytes, publish queue {}, replay {} "
                        + "events / {} bytes, tick {}, heartbeat {}, retry {}, drain {}",
                cap.max(), cap.openFileLimit(), options.maxEventBytes(), options.publishQueue(), options.replay(),
                options.replayBytes(), OptionValues.format(options.tick()), OptionValues.format(options.heartbeat()),
                OptionValues.format(options.retry()), OptionValues.format(options.drain()));
        LOG.info("publishing: {}; topics: {}; CORS origin: {}", options.authorizer().enabled()
                        ? "a token with a publish grant" + (options.publishToken() != null ? ", or the bearer token" : "")
                        : options.publishToken() != null ? "bearer token required"
                        : "loopback clients only (no --publish-token, no JWT key)",
                options.authorizer().enabled() ? "a token's grants, or --public-topics" : "open to every reader",
                options.corsOrigin() == null ? "none" : options.corsOrigin());
        LOG.info("clients: trusted proxies {}{}; per address at most {} connections, {} publishes/s; request "
                        + "timeout {}; /metrics: {}", options.trustedProxies(),
                options.proxyProtocol() ? " (PROXY protocol)" : "",
                options.maxConnectionsPerIp() == 0 ? "unlimited" : options.maxConnectionsPerIp(),
                options.publishRate() == 0 ? "unlimited" : options.publishRate() + " (burst " + options.publishBurst()
                        + ")", OptionValues.format(options.requestTimeout()),
                options.metricsToken() != null ? "loopback or bearer token" : "loopback clients only");
        LOG.info("buffer leak detection: {}", leakDetection);
        if (options.demo()) {
            demo = group.next().scheduleAtFixedRate(() -> publisher.publish(DEMO_TOPIC,
                    SseEvent.ofData(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())), 1, 1, TimeUnit.SECONDS);
            LOG.info("demo: publishing the time to topic '{}' every second; open http://localhost:{}/",
                    DEMO_TOPIC, address().getPort());
        }
    }

    /** The address the listener is bound to (with the real port when {@code --port 0}). */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    public SseBroadcaster broadcaster() {
        return broadcaster;
    }

    /** Connections served before subscribers are turned away. */
    public int maxConnections() {
        return cap.max();
    }

    /** The transport in use: {@code epoll}, {@code io_uring} or {@code nio}. */
    public String transport() {
        return transportName;
    }

    /** Client connections open now, streams included. */
    public int openConnections() {
        return http.openConnections();
    }

    public boolean isDraining() {
        return draining.get();
    }

    /**
     * Drains, then closes: from now on {@code /readyz} answers 503, subscribers get {@code 200} with a jittered
     * {@code retry:} and are closed, publishers get 503; open streams are ended spread over {@code --drain}. The
     * listener stays open for that whole period, so a load balancer can keep probing. Idempotent.
     *
     * @return {@link #terminated()}
     */
    public CompletableFuture<Void> drain() {
        if (!draining.compareAndSet(false, true) || closed.get()) {
            return terminated;
        }
        Duration spread = options.drain();
        LOG.info("draining: /readyz answers 503; open streams ({}) end over {} with retry {} plus jitter",
                broadcaster.openStreams(), OptionValues.format(spread), OptionValues.format(options.retry()));
        http.announceDrain(); // HTTP/2 clients open no new stream here
        CompletableFuture<Void> streamsEnded = broadcaster.drain(spread, options.retry(), options.retry())
                .orTimeout(spread.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        // The listener stays open for the whole period even when streams end sooner, so that load balancers see
        // the 503 from /readyz and stop sending new clients here before the port closes.
        CompletableFuture<Void> periodOver = CompletableFuture.runAsync(() -> { },
                CompletableFuture.delayedExecutor(spread.toMillis(), TimeUnit.MILLISECONDS));
        CompletableFuture.allOf(streamsEnded, periodOver).whenCompleteAsync((done, failure) -> {
            if (failure != null) {
                LOG.warn("drain did not end every stream in time; closing the rest", failure);
            } else {
                LOG.info("drained: every stream ended");
            }
            // the final GOAWAY of each HTTP/2 connection, through its codec; the loops' shutdown would not send it
            http.closeHttp2Connections().awaitUninterruptibly(H2_CLOSE_WAIT_MILLIS);
            close();
        }, task -> new Thread(task, "ssecast-close").start()); // not on an event loop: close() waits
        return terminated;
    }

    /** Completes once the server has closed, by {@link #drain} or {@link #close}. */
    public CompletableFuture<Void> terminated() {
        return terminated;
    }

    /** Closes at once: the listener, every connection, the broadcaster and the event loops. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (demo != null) {
            demo.cancel(false);
        }
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        if (reader != null) {
            reader.close();
        }
        if (tlsReload != null) {
            tlsReload.shutdownNow();
        }
        options.authorizer().close();
        broadcaster.close();
        if (redis != null) {
            redis.close();
        }
        group.shutdownGracefully(100, 2000, TimeUnit.MILLISECONDS).addListener(stopped -> {
            LOG.info("stopped");
            terminated.complete(null);
        });
    }

    /** The server could not start; the message is the one line to show the operator. */
    public static final class StartupException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
