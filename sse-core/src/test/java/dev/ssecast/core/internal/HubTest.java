package dev.ssecast.core.internal;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.SseHistory;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HubTest {
    private long now = 1_000_000_000L;
    private final Streams streams = new Streams();
    private Hub hub = hub(100, 1, false);

    private Hub hub(int replayEvents, long firstId, boolean suppliedIds) {
        return hub(replayEvents, 16, firstId, suppliedIds);
    }

    private Hub hub(int replayEvents, int queue, long firstId, boolean suppliedIds) {
        return hub(replayEvents, queue, firstId, suppliedIds, null);
    }

    private Hub hub(int replayEvents, int queue, long firstId, boolean suppliedIds, SseHistory history) {
        return new Hub(Streams.settings(replayEvents, queue, firstId, suppliedIds, history), () -> now);
    }

    @AfterEach
    void closeEverything() {
        hub.close();
        streams.finishAll();
    }

    private EmbeddedChannel subscribe(String lastEventId, String... topics) {
        return streams.subscribe(hub, lastEventId, topics);
    }

    private String publish(String topic, String data) {
        PublishResult result = hub.publish(topic, SseEvent.ofData(data));
        assertThat(result.isAccepted()).as("%s", result).isTrue();
        return result.id();
    }

    @Test
    void deliversOneTicksEventsAsOneChunkedFrame() {
        EmbeddedChannel channel = subscribe(null, "a");
        hub.tickNow();
        publish("a", "one");
        publish("a", "two");
        hub.tickNow();

        assertThat(Wire.frames(channel)).containsExactly(
                "7\r\nid: 0\n\n\r\n", // the priming id: the one before the first
                "22\r\nid: 1\ndata: one\n\nid: 2\ndata: two\n\n\r\n");
    }

    @Test
    void assignsIdsInPublishOrderAcrossTopics() {
        hub.close();
        hub = hub(100, 4, 41, false);
        assertThat(List.of(publish("a", "x"), publish("b", "y"), publish("a", "z"))).containsExactly("41", "42", "43");
    }

    @Test
    void sharesOneFrameAmongAllStreamsOfAnAudience() {
        EmbeddedChannel first = subscribe(null, "a");
        EmbeddedChannel second = subscribe(null, "a");
        hub.tickNow();
        Wire.frames(first);
        Wire.frames(second);
        publish("a", "shared");
        hub.tickNow();
        first.runPendingTasks();
        second.runPendingTasks();

        ByteBuf one = first.readOutbound();
        ByteBuf other = second.readOutbound();
        try {
            assertThat(one).isNotSameAs(other);
            assertThat(one.hasMemoryAddress()).isTrue();
            assertThat(one.memoryAddress()).as("both are duplicates of one frame").isEqualTo(other.memoryAddress());
        } finally {
            one.release();
            other.release();
        }
    }

    @Test
    void givesEachAudienceTheEventsOfItsTopicsInIdOrder() {
        EmbeddedChannel onlyA = subscribe(null, "a");
        EmbeddedChannel both = subscribe(null, "a", "b");
        EmbeddedChannel onlyB = subscribe(null, "b");
        hub.tickNow();
        List.of(onlyA, both, onlyB).forEach(channel -> assertThat(Wire.stream(channel)).isEqualTo("id: 0\n\n"));
        publish("a", "a1");
        publish("b", "b1");
        publish("a", "a2");
        hub.tickNow();

        assertThat(Wire.stream(onlyA)).isEqualTo("id: 1\ndata: a1\n\nid: 3\ndata: a2\n\n");
        assertThat(Wire.stream(both)).isEqualTo("id: 1\ndata: a1\n\nid: 2\ndata: b1\n\nid: 3\ndata: a2\n\n");
        assertThat(Wire.stream(onlyB)).isEqualTo("id: 2\ndata: b1\n\n");
    }

    @Test
    void resumesAfterTheLastEventIdThenGoesLive() {
        for (int i = 1; i <= 5; i++) {
            publish("a", "e" + i);
        }
        publish("other", "not mine");
        hub.tickNow();
        EmbeddedChannel channel = subscribe("2", "a");
        hub.tickNow();
        assertThat(Wire.stream(channel)).as("then the newest id, of another topic")
                .isEqualTo("id: 3\ndata: e3\n\nid: 4\ndata: e4\n\nid: 5\ndata: e5\n\nid: 6\n\n");

        publish("a", "live");
        hub.tickNow();
        assertThat(Wire.stream(channel)).isEqualTo("id: 7\ndata: live\n\n");
    }

    @Test
    void deliversEventsPublishedInTheSameTickAsTheSubscribeExactlyOnce() {
        publish("a", "before");
        hub.tickNow();
        EmbeddedChannel channel = subscribe("1", "a");
        publish("a", "racing");
        hub.tickNow();

        assertThat(Wire.stream(channel)).isEqualTo("id: 2\ndata: racing\n\n");
    }

    @Test
    void givesAStreamJoiningInATickThatTicksEventsOnce() {
        EmbeddedChannel early = subscribe(null, "a");
        hub.tickNow();
        assertThat(Wire.stream(early)).isEqualTo("id: 0\n\n");
        EmbeddedChannel joining = subscribe(null, "a");
        publish("a", "same tick");
        hub.tickNow();
        publish("a", "next tick");
        hub.tickNow();

        assertThat(Wire.stream(joining)).isEqualTo("id: 1\ndata: same tick\n\nid: 2\ndata: next tick\n\n");
        assertThat(Wire.stream(early)).isEqualTo("id: 1\ndata: same tick\n\nid: 2\ndata: next tick\n\n");
        assertThat(hub.stats().deliveries()).as("a preamble's events count as deliveries").isEqualTo(4);
    }

    @Test
    void repeatsNothingToAStreamResumingFromAnIdNotYetTicked() {
        publish("a", "e1");
        String accepted = publish("a", "e2"); // a publisher that subscribes with the id it was just given
        EmbeddedChannel channel = subscribe(accepted, "a");
        hub.tickNow();
        assertThat(Wire.frames(channel)).isEmpty();

        publish("a", "e3");
        hub.tickNow();
        assertThat(Wire.stream(channel)).isEqualTo("id: 3\ndata: e3\n\n");
    }

    @Test
    void givesAStreamResumingFromAnIdNewerThanAnyTheEventsOfItsTick() {
        publish("a", "before");
        hub.tickNow();
        EmbeddedChannel channel = subscribe("999", "a");
        publish("a", "same tick");
        hub.tickNow();

        assertThat(Wire.stream(channel)).isEqualTo("id: 2\ndata: same tick\n\n");
    }

    @Test
    void followsAResetWithTheEventsOfItsTick() {
        EmbeddedChannel channel = subscribe("not-an-id", "a");
        publish("a", "same tick");
        hub.tickNow();

        assertThat(Wire.stream(channel))
                .isEqualTo("event: reset\ndata: {\"reason\":\"unknown-id\"}\n\nid: 1\ndata: same tick\n\n");
    }

    @Test
    void resumesWhenOnlyEventsUpToTheLastEventIdWereEvicted() {
        hub.close();
        hub = hub(3, 1, false);
        for (int i = 1; i <= 5; i++) {
            publish("a", "e" + i);
        }
        hub.tickNow(); // ring holds 3..5; 1 and 2 evicted
        EmbeddedChannel exact = subscribe("2", "a");
        EmbeddedChannel tooOld = subscribe("1", "a");
        hub.tickNow();

        assertThat(Wire.stream(exact)).isEqualTo("id: 3\ndata: e3\n\nid: 4\ndata: e4\n\nid: 5\ndata: e5\n\n");
        assertThat(Wire.stream(tooOld)).isEqualTo("event: reset\ndata: {\"reason\":\"too-old\"}\n\nid: 5\n\n");
        assertThat(hub.stats().resets()).isEqualTo(1);
    }

    @Test
    void resetsAnIdThatDoesNotParse() {
        publish("a", "e1");
        hub.tickNow();
        EmbeddedChannel channel = subscribe("not-an-id", "a");
        hub.tickNow();

        assertThat(Wire.stream(channel)).as("a reset is followed by the priming id")
                .isEqualTo("event: reset\ndata: {\"reason\":\"unknown-id\"}\n\nid: 1\n\n");
    }

    @Test
    void treatsAnIdNewerThanTheNewestAsUpToDate() {
        publish("a", "e1");
        hub.tickNow();
        EmbeddedChannel channel = subscribe("999", "a");
        hub.tickNow();
        assertThat(Wire.stream(channel)).as("it gets what follows this node's newest").isEqualTo("id: 1\n\n");

        publish("a", "live");
        hub.tickNow();
        assertThat(Wire.stream(channel)).isEqualTo("id: 2\ndata: live\n\n");
    }

    @Test
    void refusesPublishesBeyondTheQueueCapacityWithoutSideEffects() {
        hub.close();
        hub = hub(100, 4, 1, false);
        for (int i = 0; i < 4; i++) {
            publish("a", "e" + i);
        }
        assertThat(hub.publish("a", SseEvent.ofData("over"))).isEqualTo(PublishResult.queueFull());
        assertThat(hub.stats().publishRejected()).isEqualTo(1);

        hub.tickNow();
        assertThat(publish("a", "after")).as("the refused publish took no id").isEqualTo("5");
    }

    @Test
    void sendsAHeartbeatToAudiencesSilentForHalfAHeartbeat() {
        EmbeddedChannel idle = subscribe(null, "idle");
        EmbeddedChannel busy = subscribe(null, "busy");
        hub.tickNow();
        Wire.frames(idle);
        now += Duration.ofMillis(499).toNanos();
        publish("busy", "x");
        hub.tickNow();
        Wire.frames(busy);
        assertThat(Wire.frames(idle)).isEmpty();

        now += Duration.ofMillis(2).toNanos();
        hub.tickNow();
        assertThat(Wire.frames(idle)).as("a comment, and the newest id, so the idle stream's id stays fresh")
                .containsExactly("9\r\n:\nid: 1\n\n\r\n");
        assertThat(Wire.frames(busy)).as("busy had a frame 2ms ago").isEmpty();
    }

    @Test
    void forgetsAStreamWhenItsChannelCloses() {
        EmbeddedChannel channel = subscribe(null, "a");
        hub.tickNow();
        Wire.frames(channel);
        assertThat(hub.stats().openStreams()).isEqualTo(1);

        channel.close();
        assertThat(hub.stats().openStreams()).isZero();
        publish("a", "nobody listens");
        hub.tickNow();
        assertThat(Wire.frames(channel)).isEmpty();
    }

    @Test
    void dropsASubscriptionWhoseChannelClosedBeforeItsTick() {
        EmbeddedChannel channel = subscribe("0", "a");
        channel.close();
        publish("a", "e1");
        hub.tickNow();
        channel.runPendingTasks();
        assertThat(hub.stats().openStreams()).isZero();
    }

    @Test
    void keepsSuppliedIdsAndRefusesOnesThatDoNotIncrease() {
        hub.close();
        hub = hub(100, 1, true);
        EmbeddedChannel channel = subscribe(null, "a");
        hub.publish("a", SseEvent.builder().id("1700000000000-0").data("x").build());
        assertThat(hub.publish("a", SseEvent.builder().id("1700000000000-1").data("y").build()).id())
                .isEqualTo("1700000000000-1");
        assertThatThrownBy(() -> hub.publish("a", SseEvent.builder().id("1700000000000-1").data("z").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("supplied event ids must increase: id must be after 1700000000000-1, "
                        + "was \"1700000000000-1\"");
        hub.tickNow();
        hub.tickNow();

        assertThat(Wire.stream(channel))
                .isEqualTo("id: 1700000000000-0\ndata: x\n\nid: 1700000000000-1\ndata: y\n\n");
    }

    @Test
    void refusesAnIdOnAnEventWhenTheHubAssignsThem() {
        assertThatThrownBy(() -> hub.publish("a", SseEvent.builder().id("7").data("x").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("event ids are assigned by the broadcaster");
        assertThat(publish("a", "next")).as("the refused publish took no permit or id").isEqualTo("1");
    }

    @Test
    void refusesPublishesOnceClosed() {
        hub.close();
        assertThat(hub.publish("a", SseEvent.ofData("late"))).isEqualTo(PublishResult.closed());
    }

    @Test
    void closesEveryStreamOnClose() {
        EmbeddedChannel channel = subscribe(null, "a");
        hub.tickNow();
        channel.runPendingTasks();
        hub.close();
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void refusesASuppliedEventWithoutAValidIdAndKeepsTheLastOne() {
        hub.close();
        hub = hub(100, 1, true);
        assertThat(hub.publish("a", SseEvent.builder().id("5-0").data("x").build()).isAccepted()).isTrue();
        for (String bad : new String[] {null, "", "abc", "5-x", "-1"}) {
            assertThatThrownBy(() -> hub.publish("a", SseEvent.builder().id(bad).data("bad").build()))
                    .as("id %s", bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("a supplied event id must be <n> or <n>-<m>");
        }
        assertThat(hub.publish("a", SseEvent.builder().id("6-0").data("y").build()).id())
                .as("the refused ones left the last id at 5-0").isEqualTo("6-0");
    }

    @RepeatedTest(20)
    void closesOnceWhenTwoThreadsCloseAtOnce() throws Exception {
        EmbeddedChannel channel = subscribe(null, "a");
        publish("a", "kept in the ring, released once");
        hub.tickNow();
        CountDownLatch start = new CountDownLatch(1);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> closers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Thread closer = new Thread(() -> {
                try {
                    start.await();
                    hub.close();
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
            closer.start();
            closers.add(closer);
        }
        start.countDown();
        for (Thread closer : closers) {
            closer.join(10_000);
        }
        assertThat(failures).isEmpty();
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }
}
