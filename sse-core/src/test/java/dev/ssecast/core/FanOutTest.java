package dev.ssecast.core;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Fan-out over real channels and pipelines on the in-VM transport: many subscribers, racing threads. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FanOutTest {
    private final EventLoopGroup serverLoops = new MultiThreadIoEventLoopGroup(2, LocalIoHandler.newFactory());
    private final EventLoopGroup clientLoops = new MultiThreadIoEventLoopGroup(2, LocalIoHandler.newFactory());
    private final LocalAddress address = new LocalAddress("fan-out-" + System.nanoTime());
    private SseBroadcaster broadcaster;
    private Channel server;

    private void start(SseBroadcaster.Builder settings) {
        broadcaster = settings.build();
        SseHandler handler = SseHandler.builder(broadcaster).build();
        server = new ServerBootstrap().group(serverLoops).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), handler);
                    }
                })
                .bind(address).syncUninterruptibly().channel();
    }

    @AfterEach
    void stop() {
        if (broadcaster != null) {
            broadcaster.close();
        }
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        clientLoops.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        serverLoops.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private List<LocalSubscriber> subscribe(int count, String uri) {
        List<LocalSubscriber> subscribers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            subscribers.add(new LocalSubscriber(clientLoops, address, uri, null));
        }
        return subscribers;
    }

    /** Publishes from {@code threads} threads started together; returns each topic's accepted ids, in id order. */
    private Map<String, List<Long>> publishRacing(int threads, int perThread, String... topics) throws Exception {
        Map<String, List<Long>> accepted = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> publishers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            publishers.add(new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    String topic = topics[(thread + i) % topics.length];
                    PublishResult result;
                    do {
                        result = broadcaster.publish(topic, SseEvent.ofData(thread + ":" + i));
                    } while (result.status() == PublishResult.Status.QUEUE_FULL);
                    accepted.computeIfAbsent(topic, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                            .add(Long.parseLong(result.id()));
                }
            }));
        }
        publishers.forEach(Thread::start);
        start.countDown();
        for (Thread publisher : publishers) {
            publisher.join();
        }
        accepted.replaceAll((topic, ids) -> ids.stream().sorted().collect(Collectors.toList()));
        return accepted;
    }

    private static List<Long> merged(Map<String, List<Long>> accepted, String... topics) {
        List<Long> ids = new ArrayList<>();
        for (String topic : topics) {
            ids.addAll(accepted.getOrDefault(topic, List.of()));
        }
        ids.sort(null);
        return ids;
    }

    private static List<Long> received(LocalSubscriber subscriber) {
        return subscriber.ids().stream().map(Long::parseLong).collect(Collectors.toList());
    }

    @Test
    void deliversEveryEventInIdOrderToThousandsOfSubscribersOnSeveralLoops() throws Exception {
        start(SseBroadcaster.builder().tick(Duration.ofMillis(2)).publishQueue(1024));
        List<LocalSubscriber> onA = subscribe(1000, "/events?topic=a");
        List<LocalSubscriber> onAB = subscribe(1000, "/events?topic=a&topic=b");
        await().atMost(Duration.ofSeconds(20)).until(() -> broadcaster.openStreams() == 2000);

        Map<String, List<Long>> accepted = publishRacing(3, 100, "a", "b");

        List<Long> a = merged(accepted, "a");
        List<Long> ab = merged(accepted, "a", "b");
        await().atMost(Duration.ofSeconds(30)).until(() -> onAB.stream().allMatch(s -> s.events.size() == ab.size())
                && onA.stream().allMatch(s -> s.events.size() == a.size()));
        for (LocalSubscriber subscriber : onA) {
            assertThat(received(subscriber)).isEqualTo(a);
        }
        for (LocalSubscriber subscriber : onAB) {
            assertThat(received(subscriber)).isEqualTo(ab);
        }
        assertThat(broadcaster.deliveries()).isEqualTo(1000L * a.size() + 1000L * ab.size());
    }

    @RepeatedTest(5)
    void resumesWithoutGapWhilePublishersRace() throws Exception {
        start(SseBroadcaster.builder().tick(Duration.ofMillis(1)).publishQueue(256));
        LocalSubscriber first = new LocalSubscriber(clientLoops, address, "/events?topic=a&topic=b", null);
        await().until(() -> broadcaster.openStreams() == 1);
        CountDownLatch resumed = new CountDownLatch(1);
        List<LocalSubscriber> second = new ArrayList<>();
        Thread resumer = new Thread(() -> {
            await().until(() -> first.events.size() >= 50);
            first.channel.close().syncUninterruptibly();
            second.add(new LocalSubscriber(clientLoops, address, "/events?topic=a&topic=b", first.lastId()));
            resumed.countDown();
        });
        resumer.start();

        Map<String, List<Long>> during = publishRacing(3, 300, "a", "b", "c");
        resumed.await();
        Map<String, List<Long>> after = publishRacing(3, 30, "a", "b", "c");
        List<Long> expected = merged(during, "a", "b");
        expected.addAll(merged(after, "a", "b"));
        LocalSubscriber again = second.get(0);
        long newest = expected.get(expected.size() - 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> again.lastId() != null
                && Long.parseLong(again.lastId()) == newest);

        List<Long> union = new ArrayList<>(received(first));
        union.addAll(received(again));
        assertThat(union).as("no gap, no duplicate across the reconnect").isEqualTo(expected);
    }

    @RepeatedTest(10)
    void deliversEveryAcceptedEventWhenClosedWhilePublishersRace() throws Exception {
        start(SseBroadcaster.builder().tick(Duration.ofMillis(1)).publishQueue(64));
        LocalSubscriber subscriber = new LocalSubscriber(clientLoops, address, "/events?topic=a", null);
        await().until(() -> broadcaster.openStreams() == 1);
        List<Long> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch racing = new CountDownLatch(2);
        List<Thread> publishers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            publishers.add(new Thread(() -> {
                racing.countDown();
                PublishResult result;
                while ((result = broadcaster.publish("a", SseEvent.ofData("x"))).status()
                        != PublishResult.Status.CLOSED) {
                    if (result.isAccepted()) {
                        accepted.add(Long.parseLong(result.id()));
                    }
                }
            }));
        }
        publishers.forEach(Thread::start);
        racing.await();
        await().until(() -> accepted.size() > 100);
        broadcaster.close();
        for (Thread publisher : publishers) {
            publisher.join();
        }

        await().until(() -> !subscriber.channel.isActive());
        List<Long> expected = accepted.stream().sorted().collect(Collectors.toList());
        // Every accepted event was written to the stream before it was closed. (The in-VM peer may drop what it
        // had not read yet when the channel closes, so what arrived is checked as a gap-free prefix.)
        assertThat(broadcaster.deliveries()).as("events written to the stream").isEqualTo(expected.size());
        List<Long> got = received(subscriber);
        assertThat(got).as("what arrived is the accepted events, in id order, without gap")
                .isEqualTo(expected.subList(0, got.size()));
    }

    @Test
    void leavesTheRegistryWhenClientsGo() {
        start(SseBroadcaster.builder());
        List<LocalSubscriber> subscribers = subscribe(200, "/events");
        await().until(() -> broadcaster.openStreams() == 200);

        subscribers.forEach(s -> s.channel.close());
        await().until(() -> broadcaster.openStreams() == 0);
    }

    @Test
    void drainsEveryStreamWithAJitteredRetryAndThenEndsLateJoiners() throws Exception {
        start(SseBroadcaster.builder());
        List<LocalSubscriber> subscribers = subscribe(100, "/events");
        await().until(() -> broadcaster.openStreams() == 100);

        broadcaster.drain(Duration.ofMillis(200), Duration.ofMillis(1000), Duration.ofMillis(500))
                .get(10, TimeUnit.SECONDS);

        await().until(() -> subscribers.stream().noneMatch(s -> s.channel.isActive()));
        assertThat(subscribers).allSatisfy(s -> assertThat(s.retry.get().toMillis()).isBetween(1000L, 1500L));
        assertThat(subscribers.stream().map(s -> s.retry.get()).distinct().count())
                .as("retries are jittered").isGreaterThan(1);
        await().until(() -> broadcaster.openStreams() == 0);

        LocalSubscriber late = new LocalSubscriber(clientLoops, address, "/events", null);
        await().until(() -> !late.channel.isActive());
        assertThat(late.retry.get()).isBetween(Duration.ofMillis(1000), Duration.ofMillis(1000));
        assertThat(broadcaster.openStreams()).isZero();
    }
}
