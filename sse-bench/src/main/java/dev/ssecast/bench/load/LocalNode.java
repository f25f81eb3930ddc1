package dev.ssecast.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Subscribers in this process: SSE streams to one URL, each on its own HTTP/1.1 connection or several to an HTTP/2
 * connection ({@link Subscription}), from a list of source addresses in turn, on a few event loops. Each stream's
 * {@link StreamAccount} is confined to its loop; {@link #mark} and {@link #finish} visit
 * each loop with one task. The coordinating thread calls the {@link LoadNode} methods.
 */
final class LocalNode implements LoadNode {
    private static final long RAMP_PERIOD_MILLIS = 10;

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final InetSocketAddress remote;
    /** TLS for an {@code https://} URL, else null. */
    private final SslContext tls;
    private final byte[] request;
    private final Subscription subscription;
    /** The HTTP/2 request every stream sends; null for HTTP/1.1. Never modified. */
    private final Http2Headers h2Request;
    /** The HTTP/2 connection new streams go to, and how many it has been given; confined to the pacing loop. */
    private H2ClientConnection h2Current;
    private int h2Given;
    private int h2Connections;
    private final List<InetAddress> sources;
    private final Tally tally = new Tally();
    private final Map<EventLoop, List<StreamAccount>> accounts = new IdentityHashMap<>();
    private final List<EventLoop> loops = new ArrayList<>();
    private final List<Channel> channels = new ArrayList<>();
    private int attempted;

    LocalNode(Subscription subscription, List<InetAddress> sources, int threads) {
        URI url = subscription.url();
        boolean h2 = subscription.protocol() == Subscription.Protocol.H2;
        this.subscription = subscription;
        this.group = Transport.group("ssecast-bench-sub", threads);
        this.bootstrap = Transport.bootstrap(group);
        this.remote = new InetSocketAddress(url.getHost(), ClientTls.port(url));
        this.tls = h2 ? ClientTls.forH2(url) : ClientTls.forUrl(url);
        String path = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        String authority = url.getHost() + ":" + remote.getPort();
        this.request = SseStreamReader.request(authority, path);
        this.h2Request = !h2 ? null : new DefaultHttp2Headers().method("GET").path(path)
                .scheme(url.getScheme().toLowerCase(java.util.Locale.ROOT)).authority(authority)
                .add("accept", "text/event-stream").add("cache-control", "no-cache");
        this.sources = List.copyOf(sources);
        for (int i = 0; i < threads; i++) {
            EventLoop loop = group.next();
            if (!accounts.containsKey(loop)) {
                accounts.put(loop, new ArrayList<>());
                loops.add(loop);
            }
        }
    }

    /** This process's running totals. */
    Tally tally() {
        return tally;
    }

    /** One of this node's event loops, for other work of the run (the publisher). */
    EventLoop anyLoop() {
        return loops.get(0);
    }

    @Override
    public void open(int total, double perSecond, long timeoutMillis) {
        CompletableFuture<Void> ramped = new CompletableFuture<>();
        EventLoop pacer = loops.get(0);
        long start = System.nanoTime();
        int from = attempted;
        ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
        pacer.execute(() -> task[0] = pacer.scheduleAtFixedRate(() -> {
            long due = Math.min(total, from + (long) Math.ceil(perSecond * (System.nanoTime() - start) / 1e9));
            while (attempted < due) {
                if (h2Request == null) {
                    connect(sources.get(attempted % sources.size()));
                } else {
                    addH2Stream();
                }
                attempted++;
            }
            if (attempted >= total) {
                task[0].cancel(false);
                ramped.complete(null);
            }
        }, 0, RAMP_PERIOD_MILLIS, TimeUnit.MILLISECONDS));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        ramped.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).exceptionally(e -> null).join();
        while (tally.opened.get() + tally.failed.get() < total && System.nanoTime() < deadline) {
            sleepQuietly(20);
        }
    }

    private void connect(InetAddress source) {
        StreamAccount account = new StreamAccount();
        ChannelFuture connect = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (tls != null) {
                    ch.pipeline().addLast(tls.newHandler(ch.alloc())); // holds the request until the handshake
                }
                ch.pipeline().addLast(new SseStreamReader(account, tally));
                accounts.get(ch.eventLoop()).add(account);
            }
        }).connect(remote, new InetSocketAddress(source, 0));
        channels.add(connect.channel());
        connect.addListener(f -> {
            if (f.isSuccess()) {
                connect.channel().writeAndFlush(Unpooled.wrappedBuffer(request));
            } else {
                tally.failed.incrementAndGet();
            }
        });
    }

    /** One more stream on the current HTTP/2 connection, or on a new one once it carries its share. */
    private void addH2Stream() {
        if (h2Current == null || h2Given == subscription.streamsPerConnection()) {
            EventLoop loop = group.next();
            H2ClientConnection connection = new H2ClientConnection(loop, tally, h2Request, accounts.get(loop));
            ChannelFuture connect = bootstrap.clone(loop).handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    if (tls != null) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc(), remote.getHostString(), remote.getPort()));
                    }
                    ch.pipeline().addLast(Http2FrameCodecBuilder.forClient()
                                    .initialSettings(Http2Settings.defaultSettings().pushEnabled(false)
                                            .initialWindowSize(H2ClientConnection.STREAM_WINDOW))
                                    .build(),
                            new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()), connection);
                }
            }).connect(remote, new InetSocketAddress(sources.get(h2Connections % sources.size()), 0));
            channels.add(connect.channel());
            connect.addListener(f -> {
                if (!f.isSuccess()) {
                    connection.connectFailed();
                }
            });
            h2Current = connection;
            h2Given = 0;
            h2Connections++;
        }
        h2Given++;
        H2ClientConnection connection = h2Current;
        connection.loop().execute(connection::addStream);
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public Snapshot snapshot() {
        return new Snapshot(tally.opened.get(), tally.failed.get(), tally.closed.get(), tally.deliveries.sum(),
                tally.bytes.sum(), tally.stepDeliveries.sum(), tally.outOfOrder.sum(), tally.gaps.sum(),
                Snapshot.encode(tally.latency.getIntervalHistogram()));
    }

    @Override
    public void mark(long firstSeq) {
        onEveryLoop(list -> {
            for (StreamAccount account : list) {
                account.mark(firstSeq);
            }
            return null;
        });
        tally.stepDeliveries.reset();
        tally.latency.reset();
    }

    @Override
    public Accounting finish(long finalSeq, Refusals refused) {
        return Accounting.sum(onEveryLoop(list -> {
            long connections = 0;
            long received = 0;
            long lost = 0;
            long outOfOrder = 0;
            for (StreamAccount account : list) {
                if (account.firstSeq() != StreamAccount.NONE) {
                    connections++;
                }
                received += account.received();
                lost += account.lost(finalSeq, refused);
                outOfOrder += account.outOfOrder();
            }
            return new Accounting(connections, received, lost, outOfOrder);
        }));
    }

    /** Runs {@code visit} on every loop with that loop's accounts and waits for all results. */
    private <T> List<T> onEveryLoop(java.util.function.Function<List<StreamAccount>, T> visit) {
        List<CompletableFuture<T>> futures = new ArrayList<>();
        for (EventLoop loop : loops) {
            futures.add(CompletableFuture.supplyAsync(() -> visit.apply(accounts.get(loop)), loop));
        }
        List<T> results = new ArrayList<>();
        for (CompletableFuture<T> future : futures) {
            results.add(future.join());
        }
        return results;
    }

    @Override
    public void close() {
        CompletableFuture.runAsync(() -> {
            for (Channel channel : channels) {
                channel.close();
            }
        }, loops.get(0)).join();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
