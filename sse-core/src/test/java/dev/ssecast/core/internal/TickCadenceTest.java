package dev.ssecast.core.internal;

import dev.ssecast.core.SseEvent;
import dev.ssecast.core.SseHistory;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * When the tick runs. An idle hub sleeps instead of ticking 100 times a second, and whatever hands it work from
 * another thread (a publish, a stream, a completed history load, a drain, a close) wakes it at once; the heartbeat
 * is an hour, so a hand-off that failed to wake the hub would wait half an hour for the next heartbeat round, and
 * every wait here is a few seconds. A tick whose loop is still writing an earlier one is put off, and the next
 * carries its events in the same write, unless the loop has written nothing for a second.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TickCadenceTest {
    private static final Duration AT_ONCE = Duration.ofSeconds(5);

    private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    private final LocalAddress address = new LocalAddress("tick-sleep-" + System.nanoTime());
    private final AtomicInteger cycles = new AtomicInteger();
    private final StringBuffer received = new StringBuffer();
    /** Each buffer the client read, as text: one per write of the stream's loop. */
    private final List<String> reads = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Channel> accepted = new CompletableFuture<>();
    private volatile CountDownLatch nextCycle = new CountDownLatch(1);
    private Hub hub;
    private Channel server;
    private Channel client;

    private void start(boolean suppliedIds, SseHistory history) {
        hub = new Hub(new HubSettings(Duration.ofMillis(10), Duration.ofHours(1), 100, 1 << 20, 64, 1,
                suppliedIds, 32 << 10, 64 << 10, 4 << 20, Duration.ofSeconds(30), PooledByteBufAllocator.DEFAULT,
                nanos -> {
                    cycles.incrementAndGet();
                    nextCycle.countDown();
                }, history));
        hub.start();
        server = new ServerBootstrap().group(loops).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.complete(ch);
                    }
                })
                .bind(address).syncUninterruptibly().channel();
        client = new Bootstrap().group(loops).channel(LocalChannel.class)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf bytes = (ByteBuf) msg;
                        received.append(bytes.toString(StandardCharsets.UTF_8));
                        reads.add(bytes.toString(StandardCharsets.UTF_8));
                        bytes.release();
                    }
                })
                .connect(address).syncUninterruptibly().channel();
    }

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        if (client != null) {
            client.close().syncUninterruptibly();
        }
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Subscribes the accepted channel to {@code a} from its loop, as a handler would. */
    private void subscribe(String lastEventId) throws Exception {
        Channel stream = accepted.get(5, TimeUnit.SECONDS);
        stream.eventLoop().submit(() -> hub.subscribe(stream, List.of("a"), lastEventId)).get(5, TimeUnit.SECONDS);
    }

    /** Waits for the hub to fall asleep after its last cycle. */
    private void awaitAsleep() {
        await().atMost(AT_ONCE).until(hub::isAsleep);
        nextCycle = new CountDownLatch(1);
    }

    @Test
    void anIdleHubRunsNoCycleUntilItIsHandedWork() throws Exception {
        start(false, null);
        await().atMost(AT_ONCE).until(() -> cycles.get() >= 1);
        CountDownLatch second = new CountDownLatch(1);
        nextCycle = second;
        int before = cycles.get();

        // With a 10 ms tick, a hub that ticks while idle runs about 30 cycles in this window.
        assertThat(second.await(300, TimeUnit.MILLISECONDS)).as("a cycle ran while idle").isFalse();
        assertThat(cycles.get()).isEqualTo(before);
        assertThat(hub.isAsleep()).isTrue();
    }

    @Test
    void aStreamAndAPublishEachWakeTheHubAtOnce() throws Exception {
        start(false, null);
        awaitAsleep();
        subscribe(null);
        await().atMost(AT_ONCE).until(() -> hub.stats().openStreams() == 1);

        awaitAsleep();
        assertThat(hub.publish("a", SseEvent.ofData("woken")).isAccepted()).isTrue();
        await().atMost(AT_ONCE).until(() -> received.toString().contains("data: woken\n"));

        // After a sleep the hub ticks at once, then keeps its cadence while there is work.
        awaitAsleep();
        for (int i = 0; i < 3; i++) {
            hub.publish("a", SseEvent.ofData("burst " + i));
        }
        await().atMost(AT_ONCE).until(() -> received.toString().contains("data: burst 2\n"));
        assertThat(received.toString()).containsSubsequence("data: burst 0\n", "data: burst 1\n", "data: burst 2\n");
    }

    @Test
    void aHistoryLoadCompletedOnAnotherThreadWakesTheHub() throws Exception {
        CompletableFuture<List<SseEvent>> load = new CompletableFuture<>();
        start(true, new SseHistory() {
            @Override
            public CompletionStage<List<SseEvent>> eventsBetween(String afterId, String beforeId, Set<String> t) {
                return load;
            }
        });
        hub.publish("a", SseEvent.builder().id("10-0").data("ringed").build());
        await().atMost(AT_ONCE).until(() -> hub.replaySize() == 1);
        awaitAsleep();
        subscribe("5-0"); // older than the ring: loaded from the history first
        await().atMost(AT_ONCE).until(() -> cycles.get() >= 1 && hub.isAsleep() && !load.isDone());

        new Thread(() -> load.complete(List.of(SseEvent.builder().id("7-0").data("from history").build())))
                .start();
        await().atMost(AT_ONCE).until(() -> received.toString().contains("data: ringed\n"));
        assertThat(received.toString()).containsSubsequence("data: from history\n", "data: ringed\n");
    }

    @Test
    void aDrainAndACloseEachWakeTheHub() throws Exception {
        start(false, null);
        subscribe(null);
        await().atMost(AT_ONCE).until(() -> hub.stats().openStreams() == 1);
        awaitAsleep();

        CompletableFuture<Void> drained = hub.drain(Duration.ZERO, Duration.ofSeconds(2), Duration.ZERO);
        drained.get(AT_ONCE.toSeconds(), TimeUnit.SECONDS);
        await().atMost(AT_ONCE).until(() -> !client.isActive());
        assertThat(received.toString()).contains("retry: 2000\n");

        awaitAsleep();
        CompletableFuture<Void> closed = CompletableFuture.runAsync(hub::close);
        closed.get(AT_ONCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(hub.isAsleep()).isFalse();
    }

    /** Occupies the stream's loop, as a long write or a slow handler would, until {@code release} is counted down. */
    private void occupyLoop(CountDownLatch release) throws Exception {
        accepted.get(5, TimeUnit.SECONDS).eventLoop().execute(() -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** A started hub with one stream, whose loop is then occupied until the returned latch is counted down. */
    private CountDownLatch oneStreamOnAnOccupiedLoop() throws Exception {
        start(false, null);
        subscribe(null);
        await().atMost(AT_ONCE).until(() -> hub.stats().openStreams() == 1);
        CountDownLatch release = new CountDownLatch(1);
        occupyLoop(release);
        return release;
    }

    @Test
    void aTickWhoseLoopIsStillWritingTheLastIsPutOffAndTheNextCarriesItsEventsInOneWrite() throws Exception {
        CountDownLatch release = oneStreamOnAnOccupiedLoop();
        hub.publish("a", SseEvent.ofData("first"));
        await().atMost(AT_ONCE).until(() -> hub.stats().published() == 1); // handed to the occupied loop
        long deferred = hub.stats().ticksDeferred();
        hub.publish("a", SseEvent.ofData("second"));
        await().atMost(AT_ONCE).until(() -> hub.stats().ticksDeferred() >= deferred + 2);
        hub.publish("a", SseEvent.ofData("third"));
        await().atMost(AT_ONCE).until(() -> hub.stats().ticksDeferred() >= deferred + 4);
        assertThat(hub.stats().published()).as("nothing ticked while the loop was behind").isEqualTo(1);
        int before = reads.size();

        release.countDown();
        await().atMost(AT_ONCE).until(() -> received.toString().contains("data: third\n"));
        List<String> after = reads.subList(before, reads.size());
        assertThat(after).hasSize(2);
        assertThat(after.get(0)).contains("data: first\n").doesNotContain("second");
        assertThat(after.get(1)).containsSubsequence("data: second\n", "data: third\n");
    }

    @Test
    void aLoopThatWritesNothingForASecondIsNotWaitedFor() throws Exception {
        CountDownLatch release = oneStreamOnAnOccupiedLoop();
        hub.publish("a", SseEvent.ofData("first"));
        await().atMost(AT_ONCE).until(() -> hub.stats().published() == 1);
        hub.publish("a", SseEvent.ofData("second"));
        // The loop is still occupied: after a second the ticks go on, and its tasks queue as before.
        await().atMost(AT_ONCE).until(() -> hub.stats().published() == 2);
        assertThat(received.toString()).doesNotContain("first");

        release.countDown();
        await().atMost(AT_ONCE).until(() -> received.toString().contains("data: second\n"));
        assertThat(received.toString()).containsSubsequence("data: first\n", "data: second\n");
    }
}
