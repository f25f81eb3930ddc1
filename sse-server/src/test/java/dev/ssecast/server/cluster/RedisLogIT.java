package dev.ssecast.server.cluster;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.testing.SseTestClient;
import dev.ssecast.core.testing.TestSseServer;
import dev.ssecast.server.http.PublishRules;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The Redis Stream log passes the same contract, and survives what only a shared, remote log faces. */
class RedisLogIT extends EventLogContract {
    private RedisProcess redis;

    /** A node: a broadcaster with supplied ids, fed by its own reader, loading old resumes from Redis. */
    final class Node implements Log {
        final RedisStreamLog log;
        final SseBroadcaster broadcaster;
        final StreamReader reader;

        Node(int ringEvents, int logEvents) {
            this(ringEvents, logEvents, System::currentTimeMillis);
        }

        /** A node whose reader reads the wall clock from {@code clock}, which a test can make fail. */
        Node(int ringEvents, int logEvents, LongSupplier clock) {
            log = new RedisStreamLog(redis.uri(), "ssecast-test", logEvents, new PublishRules(1024), "epoll");
            broadcaster = SseBroadcaster.builder().suppliedIds().history(log).replay(ringEvents, 1 << 20).build();
            reader = new StreamReader(log, broadcaster, clock);
            reader.start();
            await().atMost(WAIT).until(reader::isReading);
        }

        @Override
        public SseBroadcaster broadcaster() {
            return broadcaster;
        }

        @Override
        public void awaitCaughtUp(List<String> published) {
            String last = published.get(published.size() - 1);
            await().atMost(WAIT).until(() -> reader.lastId() != null
                    && SseBroadcaster.compareIds(reader.lastId(), last) >= 0
                    && broadcaster.eventsPublished() >= reader.fed());
        }

        @Override
        public PublishResult publish(String topic, SseEvent event) throws Exception {
            return log.publish(topic, event).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            reader.close();
            broadcaster.close();
            log.close();
        }
    }

    @Override
    Log open(int ringEvents, int logEvents) throws Exception {
        if (redis == null) {
            redis = track(RedisProcess.start());
        }
        return new Node(ringEvents, logEvents);
    }

    @Test
    void servesAResumeOlderThanTheRingFromRedis() throws Exception {
        Log node = track(open(5, 1000));
        TestSseServer server = serve(node);
        List<String> ids = publishAll(node, "a", 50);
        awaitTicked(node, 50);

        SseTestClient client = subscribe(server, "topic=a", ids.get(9));

        assertThat(ids(client.recorder().awaitEvents(40, WAIT))).isEqualTo(ids.subList(10, 50));
        client.recorder().assertNoMoreEvents();
    }

    @Test
    void aNodeStartedLaterResumesFromWhatRedisHolds() throws Exception {
        Log first = track(open(1000, 1000));
        List<String> ids = publishAll(first, "a", 20);
        Log later = track(open(1000, 1000));
        TestSseServer server = serve(later);

        SseTestClient client = subscribe(server, "topic=a", ids.get(4));
        await().atMost(WAIT).until(() -> later.broadcaster().openStreams() == 1);
        List<String> live = publishAll(first, "a", 2); // published on the other node

        List<String> expected = new ArrayList<>(ids.subList(5, 20));
        expected.addAll(live);
        assertThat(ids(client.recorder().awaitEvents(17, WAIT))).isEqualTo(expected);
    }

    @Test
    void losesNothingAcceptedWhenRedisRestartsUnderAnOpenStream() throws Exception {
        Node node = (Node) track(open(1000, 1000));
        TestSseServer server = serve(node);
        SseTestClient client = subscribe(server, "topic=a", null);
        await().atMost(WAIT).until(() -> node.broadcaster().openStreams() == 1);
        List<String> accepted = publishAll(node, "a", 10);
        client.recorder().awaitEvents(10, WAIT);

        redis.stop();
        assertThatThrownBy(() -> node.log.publish("a", SseEvent.ofData("refused")).toCompletableFuture().join())
                .isInstanceOf(CompletionException.class);
        await().atMost(WAIT).until(() -> !node.reader.isReading());
        redis.startAgain();
        await().atMost(WAIT).until(node.reader::isReading);
        accepted.addAll(publishAll(node, "a", 10));

        assertThat(client.isActive()).as("the stream stayed open").isTrue();
        client.recorder().awaitEvents(10, WAIT);
        assertThat(ids(client.recorder().events())).isEqualTo(accepted);
        assertThat(node.reader.outages()).isEqualTo(1);
    }

    @Test
    void refusesAPublishAtOnceWhileRedisIsDown() throws Exception {
        Node node = (Node) track(open(1000, 1000));
        redis.stop();
        assertThatThrownBy(() -> node.log.publish("a", SseEvent.ofData("x")).toCompletableFuture()
                .get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        redis.startAgain();
    }

    @Test
    void restartsAfterAnUnexpectedFailureFromTheLastIdFedLosingAndRepeatingNothing() throws Exception {
        if (redis == null) {
            redis = track(RedisProcess.start());
        }
        AtomicBoolean failing = new AtomicBoolean();
        Node node = track(new Node(1000, 1000, () -> {
            if (failing.get()) {
                throw new IllegalStateException("injected: the clock failed");
            }
            return System.currentTimeMillis();
        }));
        TestSseServer server = serve(node);
        SseTestClient client = subscribe(server, "topic=a", null);
        await().atMost(WAIT).until(() -> node.broadcaster().openStreams() == 1);
        List<String> accepted = publishAll(node, "a", 3);
        client.recorder().awaitEvents(3, WAIT);

        failing.set(true); // from now on each cycle fails right after it fed an event
        accepted.addAll(publishAll(node, "a", 3));
        await().atMost(WAIT).until(() -> !node.reader.isReading());
        assertThat(node.reader.outages()).isEqualTo(1);
        failing.set(false);
        await().atMost(WAIT).until(node.reader::isReading);
        accepted.addAll(publishAll(node, "a", 3));

        client.recorder().awaitEvents(6, WAIT);
        assertThat(ids(client.recorder().events())).isEqualTo(accepted);
        client.recorder().assertNoMoreEvents();
        assertThat(node.reader.outages()).as("a failure that repeats is one outage").isEqualTo(1);
    }

    @Test
    void startsAfterTheLastEntryOfTheStreamAndTellsTheBroadcasterSo() throws Exception {
        redis = track(RedisProcess.start());
        String last = redis.xadd("ssecast-test", "t", "a", "d", "before the node");
        Node node = (Node) track(open(1000, 1000));

        assertThat(node.reader.lastId()).isEqualTo(last);
        assertThatThrownBy(() -> node.broadcaster().publish("a", SseEvent.builder().id(last).data("x").build()))
                .as("the broadcaster starts after %s", last)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must increase");
    }
}
