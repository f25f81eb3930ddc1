package dev.ssecast.server.cluster;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.testing.EventRecorder;
import dev.ssecast.core.testing.SocketTransport;
import dev.ssecast.core.testing.SseTestClient;
import dev.ssecast.core.testing.TestSseServer;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every event log under a broadcaster must do, whichever engine keeps it: one suite, one subclass per
 * implementation (in memory, Redis Stream).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class EventLogContract {
    static final Duration WAIT = Duration.ofSeconds(20);

    /** A broadcaster fed by the log under test, and the way to publish to that log. */
    interface Log extends AutoCloseable {
        SseBroadcaster broadcaster();

        PublishResult publish(String topic, SseEvent event) throws Exception;

        /**
         * Waits until the broadcaster has ticked what reached it of {@code published} (a fresh log's publishes so
         * far). A log that trims itself may drop entries before they reach the broadcaster, so where that can
         * happen the wait is for the last id, not for a count.
         */
        default void awaitCaughtUp(List<String> published) {
            awaitTicked(this, published.size());
        }

        @Override
        void close() throws Exception;
    }

    /** Opens the log under test with a ring of {@code ringEvents} and (where it applies) a log of about {@code logEvents}. */
    abstract Log open(int ringEvents, int logEvents) throws Exception;

    private final EventLoopGroup clients = SocketTransport.newGroup("contract-client", 1);
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        SocketTransport.shutDown(clients);
    }

    <T extends AutoCloseable> T track(T resource) {
        opened.add(resource);
        return resource;
    }

    TestSseServer serve(Log log) {
        return track(TestSseServer.builder(log.broadcaster()).start());
    }

    SseTestClient subscribe(TestSseServer server, String topics, String lastEventId) {
        SseTestClient client = track(SseTestClient.builder(clients, server.port())
                .path(TestSseServer.PATH + "?" + topics).lastEventId(lastEventId).connect());
        client.awaitOpen(WAIT);
        return client;
    }

    static List<String> ids(List<SseEvent> events) {
        return events.stream().map(SseEvent::id).toList();
    }

    static List<String> publishAll(Log log, String topic, int count) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            PublishResult result = log.publish(topic, SseEvent.ofData(topic + "-" + i));
            assertThat(result.isAccepted()).as("publish %d: %s", i, result).isTrue();
            ids.add(result.id());
        }
        return ids;
    }

    @Test
    void deliversEveryEventWithTheIdThatPublishAnswered() throws Exception {
        Log log = track(open(1000, 1000));
        TestSseServer server = serve(log);
        SseTestClient client = subscribe(server, "topic=a", null);
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> log.broadcaster().openStreams() == 1);

        List<String> published = publishAll(log, "a", 20);

        EventRecorder recorder = client.recorder();
        List<SseEvent> received = recorder.awaitEvents(20, WAIT);
        assertThat(ids(received)).isEqualTo(published);
        assertThat(received.get(3).data()).isEqualTo("a-3");
        recorder.assertNoMoreEvents();
    }

    @Test
    void answersIdsThatIncreaseAcrossTopics() throws Exception {
        Log log = track(open(1000, 1000));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(log.publish(i % 2 == 0 ? "a" : "b", SseEvent.ofData("x")).id());
        }
        for (int i = 1; i < ids.size(); i++) {
            assertThat(compare(ids.get(i), ids.get(i - 1))).as("%s after %s", ids.get(i), ids.get(i - 1))
                    .isPositive();
        }
    }

    @Test
    void resumesExactlyAfterALastEventIdThenGoesLive() throws Exception {
        Log log = track(open(1000, 1000));
        TestSseServer server = serve(log);
        List<String> before = publishAll(log, "a", 10);
        publishAll(log, "b", 3);
        awaitTicked(log, 13);

        SseTestClient client = subscribe(server, "topic=a", before.get(4));
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> log.broadcaster().openStreams() == 1);
        List<String> after = publishAll(log, "a", 2);

        List<String> expected = new ArrayList<>(before.subList(5, 10));
        expected.addAll(after);
        assertThat(ids(client.recorder().awaitEvents(7, WAIT))).isEqualTo(expected);
        client.recorder().assertNoMoreEvents();
    }

    @Test
    void startsWithAResetForAnIdTheLogNoLongerHolds() throws Exception {
        Log log = track(open(5, 5));
        TestSseServer server = serve(log);
        List<String> ids = publishAll(log, "a", 300);
        log.awaitCaughtUp(ids); // Redis trims by whole nodes of ~100 entries: the reader may lose some

        SseTestClient client = subscribe(server, "topic=a", ids.get(0));
        SseEvent first = client.recorder().awaitEvent(WAIT);
        assertThat(first.type()).isEqualTo("reset");
        assertThat(first.data()).isEqualTo("{\"reason\":\"too-old\"}");
    }

    static void awaitTicked(Log log, long events) {
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> log.broadcaster().eventsPublished() >= events);
    }

    static int compare(String a, String b) {
        return SseBroadcaster.compareIds(a, b);
    }
}
