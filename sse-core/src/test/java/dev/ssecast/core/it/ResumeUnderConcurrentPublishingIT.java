package dev.ssecast.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.testing.EventRecorder;
import dev.ssecast.core.testing.Publishing;
import dev.ssecast.core.testing.SocketTransport;
import dev.ssecast.core.testing.SseTestClient;
import dev.ssecast.core.testing.TestSseServer;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ResumeUnderConcurrentPublishingIT {
    private static final List<String> TOPICS = List.of("a", "b", "c");
    private static final Set<String> SUBSCRIBED = Set.of("a", "b");
    private static final String STREAM = TestSseServer.PATH + "?topic=a&topic=b";
    private static final int PUBLISHERS = 3;
    /** Events each connection reads while the publishers run. */
    private static final int PER_CONNECTION = 250;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static EventLoopGroup clientLoops;

    private SseBroadcaster broadcaster;
    private TestSseServer server;
    private final List<SseTestClient> clients = new ArrayList<>();

    @BeforeAll
    static void startClientLoops() {
        clientLoops = SocketTransport.newGroup("resume-client", 1);
    }

    @AfterAll
    static void stopClientLoops() {
        SocketTransport.shutDown(clientLoops);
    }

    @AfterEach
    void stop() {
        clients.forEach(SseTestClient::close);
        if (broadcaster != null) {
            broadcaster.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @RepeatedTest(5)
    @Timeout(30)
    void resumesWithoutGapOrDuplicateWhilePublishersRace() throws Exception {
        // A small queue paces the publishers (at most 64 events a tick); the ring covers far more than a reconnect.
        start(SseBroadcaster.builder().publishQueue(64).replay(100_000, 256L << 20));
        Queue<Published> published = new ConcurrentLinkedQueue<>();
        AtomicLong accepted = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(PUBLISHERS);
        try {
            List<Future<?>> publishers = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                int publisher = p;
                publishers.add(pool.submit(() -> {
                    go.await();
                    for (int n = 0; !stop.get(); n++) {
                        String topic = TOPICS.get((n + publisher) % TOPICS.size());
                        String data = "p" + publisher + "-" + n;
                        String id = Publishing.publishUntilAccepted(broadcaster, topic, SseEvent.ofData(data), WAIT);
                        published.add(new Published(Long.parseLong(id), topic, data));
                        accepted.incrementAndGet();
                    }
                    return null;
                }));
            }
            go.countDown();

            EventRecorder first = connect(null).recorder();
            first.awaitEvents(PER_CONNECTION, WAIT);
            clients.get(0).close();
            String lastSeen = first.lastEventId();
            long atDisconnect = accepted.get();
            await().atMost(WAIT).until(() -> accepted.get() >= atDisconnect + 300); // missed: must come from the ring
            EventRecorder second = connect(lastSeen).recorder();
            second.awaitEvents(PER_CONNECTION, WAIT);

            stop.set(true);
            for (Future<?> publisher : publishers) {
                publisher.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }

            long from = Long.parseLong(first.events().get(0).id());
            List<String> expected = published.stream()
                    .filter(event -> SUBSCRIBED.contains(event.topic) && event.id >= from)
                    .sorted(Comparator.comparingLong(event -> event.id))
                    .map(event -> event.id + " " + event.data)
                    .collect(Collectors.toList());
            int firstCount = first.events().size();
            assertThat(expected.size() - firstCount).as("events due on the resumed stream")
                    .isGreaterThanOrEqualTo(PER_CONNECTION);
            second.awaitEvents(expected.size() - firstCount - PER_CONNECTION, WAIT);
            second.assertNoMoreEvents();

            List<String> received = new ArrayList<>(describe(first.events()));
            received.addAll(describe(second.events()));
            assertSameSequence(received, expected, firstCount);
        } finally {
            stop.set(true);
            go.countDown();
            pool.shutdownNow();
            assertThat(pool.awaitTermination(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        }
    }

    @Test
    @Timeout(20)
    void replaysExactlyTheEventsAfterAnIdStillInTheRing() {
        start(SseBroadcaster.builder().replay(16, 1 << 20));
        List<String> ids = publish("a", 20);
        publish("b", 5); // another topic: not replayed

        EventRecorder recorder = connect(TestSseServer.PATH + "?topic=a", ids.get(14)).recorder();

        List<SseEvent> replayed = recorder.awaitEvents(5, WAIT);
        assertThat(replayed).extracting(SseEvent::id).isEqualTo(ids.subList(15, 20));
        assertThat(replayed).extracting(SseEvent::data).containsExactly("a-15", "a-16", "a-17", "a-18", "a-19");
        String live = Publishing.publishUntilAccepted(broadcaster, "a", SseEvent.ofData("live"), WAIT);
        assertThat(recorder.awaitEvent(WAIT).id()).isEqualTo(live);
        recorder.assertNoMoreEvents();
        assertThat(broadcaster.resets()).isZero();
    }

    @Test
    @Timeout(20)
    void answersAnIdOlderThanTheReplayRingWithATooOldReset() {
        start(SseBroadcaster.builder().replay(16, 1 << 20));
        List<String> ids = publish("a", 40);
        assertThat(broadcaster.replayEvents()).isEqualTo(16);

        EventRecorder recorder = connect(TestSseServer.PATH + "?topic=a", ids.get(0)).recorder();

        SseEvent reset = recorder.awaitEvent(WAIT);
        assertThat(reset.type()).isEqualTo("reset");
        assertThat(reset.data()).isEqualTo("{\"reason\":\"too-old\"}");
        String live = Publishing.publishUntilAccepted(broadcaster, "a", SseEvent.ofData("live"), WAIT);
        assertThat(recorder.awaitEvent(WAIT).id()).as("the stream goes on live after the reset").isEqualTo(live);
        recorder.assertNoMoreEvents();
        assertThat(broadcaster.resets()).isEqualTo(1);
    }

    @Test
    @Timeout(20)
    void answersAnUnparseableIdWithAnUnknownIdReset() {
        start(SseBroadcaster.builder());
        publish("a", 3);

        EventRecorder recorder = connect(TestSseServer.PATH + "?topic=a", "not-an-id").recorder();

        SseEvent reset = recorder.awaitEvent(WAIT);
        assertThat(reset.type()).isEqualTo("reset");
        assertThat(reset.data()).isEqualTo("{\"reason\":\"unknown-id\"}");
        recorder.assertNoMoreEvents();
        assertThat(broadcaster.resets()).isEqualTo(1);
    }

    private void start(SseBroadcaster.Builder builder) {
        broadcaster = builder.build();
        server = TestSseServer.builder(broadcaster).start();
    }

    private SseTestClient connect(String lastEventId) {
        return connect(STREAM, lastEventId);
    }

    private SseTestClient connect(String path, String lastEventId) {
        SseTestClient client = SseTestClient.builder(clientLoops, server.port())
                .path(path)
                .lastEventId(lastEventId)
                .connect();
        clients.add(client);
        return client;
    }

    /** Publishes {@code count} events with data {@code <topic>-<n>} and waits until they are in the ring. */
    private List<String> publish(String topic, int count) {
        long before = broadcaster.eventsPublished();
        List<String> ids = IntStream.range(0, count)
                .mapToObj(n -> Publishing.publishUntilAccepted(broadcaster, topic,
                        SseEvent.ofData(topic + "-" + n), WAIT))
                .collect(Collectors.toList());
        await().atMost(WAIT).until(() -> broadcaster.eventsPublished() == before + count);
        return ids;
    }

    private static List<String> describe(List<SseEvent> events) {
        return events.stream().map(event -> event.id() + " " + event.data()).collect(Collectors.toList());
    }

    /** Fails at the first difference, showing a few events around it and where the second connection began. */
    private static void assertSameSequence(List<String> received, List<String> expected, int resumedAt) {
        int n = Math.min(received.size(), expected.size());
        int i = 0;
        while (i < n && received.get(i).equals(expected.get(i))) {
            i++;
        }
        if (i < n || received.size() != expected.size()) {
            int lo = Math.max(0, i - 3);
            throw new AssertionError("received " + received.size() + " events, expected " + expected.size()
                    + "; first difference at " + i + " (the resumed stream starts at " + resumedAt + ")"
                    + "\n  received: " + around(received, lo, i + 4) + "\n  expected: " + around(expected, lo, i + 4));
        }
    }

    private static List<String> around(List<String> events, int from, int to) {
        return events.subList(Math.min(from, events.size()), Math.min(to, events.size()));
    }

    /** An accepted publish as the publisher saw it. */
    private static final class Published {
        final long id;
        final String topic;
        final String data;

        Published(long id, String topic, String data) {
            this.id = id;
            this.topic = topic;
            this.data = data;
        }
    }
}
