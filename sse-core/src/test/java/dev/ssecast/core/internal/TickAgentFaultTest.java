package dev.ssecast.core.internal;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseDecoder;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.SseHistory;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.ssecast.core.internal.TickFaults.Step;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tick agent contains the failure of every step of its cycle: each test makes one step fail on command
 * (an {@link OutOfMemoryError}, as a direct-memory limit would), checks that it fired and what the step's
 * containment did, then that a new subscriber gets new events and a resuming client gets every event after its
 * id with no gap and no duplicate. The fault then is lifted (it fires once), and delivery goes on.
 */
class TickAgentFaultTest {
    private long now = 1_000_000_000L;
    private final TickFaults faults = TickFaults.armable();
    private final Streams streams = new Streams();
    private final List<CompletableFuture<List<SseEvent>>> loads = new ArrayList<>();
    private final List<String> accepted = new ArrayList<>();
    private Hub hub = hub(null, nanos -> { });

    private Hub hub(SseHistory history, java.util.function.LongConsumer observer) {
        HubSettings base = Streams.settings(100, 64, 1, history != null, history);
        HubSettings settings = new HubSettings(base.tick(), base.heartbeat(), base.replayEvents(), base.replayBytes(),
                base.publishQueue(), base.firstId(), base.suppliedIds(), base.writeBufferLow(),
                base.writeBufferHigh(), base.maxQueuedBytes(), base.maxUnwritable(), base.allocator(), observer,
                base.history());
        return new Hub(settings, () -> now, faults);
    }

    @AfterEach
    void closeEverything() {
        loads.forEach(load -> load.complete(List.of()));
        hub.close();
        streams.finishAll();
    }

    private EmbeddedChannel subscribe(String lastEventId) {
        return streams.subscribe(hub, lastEventId, "a");
    }

    private String publish(String data) {
        PublishResult result = hub.publish("a", SseEvent.ofData(data));
        assertThat(result.isAccepted()).as("%s", result).isTrue();
        accepted.add(result.id());
        return result.id();
    }

    /** A stream that is live and has the events so far; returns it with its last event id. */
    private EmbeddedChannel liveStream() {
        EmbeddedChannel live = subscribe(null);
        hub.tickNow();
        publish("before");
        hub.tickNow();
        assertThat(ids(live)).containsExactly(accepted.get(0));
        return live;
    }

    /** The ids of the events decoded from what the stream got since the last read. */
    private static List<String> ids(EmbeddedChannel channel) {
        List<String> ids = new ArrayList<>();
        SseDecoder decoder = new SseDecoder(event -> ids.add(event.id()));
        String text = Wire.stream(channel);
        decoder.decode(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
        return ids;
    }

    /**
     * After the fault: a new subscriber gets a new event; a client resuming after {@code lastSeen} gets every
     * event after it that was not dropped for everyone, in order, once; and a live stream still gets new events.
     */
    private void assertServesAfter(String lastSeen, List<String> dropped) {
        EmbeddedChannel fresh = subscribe(null);
        EmbeddedChannel resuming = subscribe(lastSeen);
        hub.tickNow();
        List<String> resumed = new ArrayList<>(ids(resuming));
        assertThat(ids(fresh)).as("a new subscriber joins with no event, only the priming id").isEmpty();

        String next = publish("after");
        hub.tickNow();
        assertThat(ids(fresh)).as("a new subscriber gets new events").containsExactly(next);
        resumed.addAll(ids(resuming));
        for (int tick = 0; tick < 20 && !resumed.contains(next); tick++) {
            hub.tickNow(); // a long resume takes a piece a tick
            resumed.addAll(ids(resuming));
        }
        List<String> expected = accepted.subList(accepted.indexOf(lastSeen) + 1, accepted.size()).stream()
                .filter(id -> !dropped.contains(id)).collect(Collectors.toList());
        assertThat(resumed).as("a resume after %s: no gap, no duplicate", lastSeen).isEqualTo(expected);
    }

    @Test
    void keepsWhatItDrainedWhenTakingTheQueueFailsAndDeliversItNextTick() {
        EmbeddedChannel live = liveStream();
        faults.failNext(Step.QUEUE_TAKE, 1);
        String held = publish("held back");
        hub.tickNow();
        assertThat(faults.fired(Step.QUEUE_TAKE)).isEqualTo(1);
        assertThat(ids(live)).isEmpty();

        hub.tickNow();
        assertThat(ids(live)).as("delivered one tick late, not lost").containsExactly(held);
        assertThat(hub.stats().eventsDropped()).isZero();
        assertServesAfter(accepted.get(0), List.of());
        assertThat(hub.stats().tickFailures()).isEqualTo(1);
    }

    @Test
    void dropsAnEventThatCannotBeEncodedForEveryStreamAndMovesPastIt() {
        assertDropsOnFailureAt(Step.ENCODE);
    }

    @Test
    void dropsAnEventThatCannotBeKeptInTheRingForEveryStreamAndMovesPastIt() {
        assertDropsOnFailureAt(Step.RING_APPEND);
    }

    private void assertDropsOnFailureAt(Step step) {
        EmbeddedChannel live = liveStream();
        faults.failNext(step, 1);
        String lost = publish("lost");
        String kept = publish("kept");
        hub.tickNow();
        assertThat(faults.fired(step)).isEqualTo(1);
        assertThat(hub.stats().eventsDropped()).isEqualTo(1);
        assertThat(ids(live)).as("the sequence moved past %s", lost).containsExactly(kept);
        assertThat(hub.stats().published()).as("published: before and kept, not the dropped one").isEqualTo(2);

        assertServesAfter(accepted.get(0), List.of(lost));
        assertThat(ids(live)).containsExactly(accepted.get(accepted.size() - 1));
    }

    @Test
    void closesTheStreamsOfAnAudienceWhoseFrameCannotBeBuiltSoTheyResume() {
        EmbeddedChannel live = liveStream();
        faults.failNext(Step.FRAME_BUILD, 1);
        publish("unframed");
        hub.tickNow();
        assertThat(faults.fired(Step.FRAME_BUILD)).isEqualTo(1);
        assertThat(ids(live)).isEmpty();
        assertThat(live.isOpen()).as("closed rather than left with a gap").isFalse();

        assertServesAfter(accepted.get(0), List.of());
    }

    @Test
    void closesTheStreamsOfALoopThatCannotBeHandedItsFramesSoTheyResume() {
        EmbeddedChannel live = liveStream();
        faults.failNext(Step.HAND_OFF, 1);
        publish("not handed off");
        hub.tickNow();
        assertThat(faults.fired(Step.HAND_OFF)).isEqualTo(1);
        assertThat(ids(live)).isEmpty();
        assertThat(live.isOpen()).isFalse();
        assertThat(hub.stats().openStreams()).isZero();

        assertServesAfter(accepted.get(0), List.of());
    }

    @Test
    void closesAStreamWhoseAdmissionFailsInsteadOfLeavingItHanging() {
        EmbeddedChannel live = liveStream();
        faults.failNext(Step.ADMISSION, 1);
        EmbeddedChannel refused = subscribe(null);
        hub.tickNow();
        assertThat(faults.fired(Step.ADMISSION)).isEqualTo(1);
        refused.runPendingTasks();
        assertThat(refused.isOpen()).as("closed, so its client reconnects").isFalse();

        assertServesAfter(accepted.get(0), List.of());
        assertThat(ids(live)).containsExactly(accepted.get(accepted.size() - 1));
    }

    @Test
    void closesAResumeThatFailsHalfWayThroughTheRing() {
        hub.close();
        hub = hub(null, nanos -> { });
        for (int i = 0; i < 30; i++) {
            publish("x".repeat(8 << 10)); // 240 KiB: a few pieces of 64 KiB
        }
        hub.tickNow();
        EmbeddedChannel resuming = subscribe(accepted.get(0));
        hub.tickNow();
        List<String> first = ids(resuming);
        assertThat(first).isNotEmpty().hasSizeLessThan(29);
        faults.failNext(Step.ADMISSION, 1);
        hub.tickNow();
        assertThat(faults.fired(Step.ADMISSION)).isEqualTo(1);
        resuming.runPendingTasks();
        assertThat(resuming.isOpen()).isFalse();
        assertThat(hub.stats().openStreams()).isZero();

        assertServesAfter(first.get(first.size() - 1), List.of());
    }

    @Test
    void closesAStreamWhoseHistoryCompletionFails() {
        hub.close();
        hub = hub((after, before, topics) -> {
            CompletableFuture<List<SseEvent>> load = new CompletableFuture<>();
            loads.add(load);
            return load;
        }, nanos -> { });
        hub.publish("a", SseEvent.builder().id("10-0").data("ten").build());
        accepted.add("10-0");
        hub.tickNow();
        EmbeddedChannel waiting = subscribe("1-0");
        hub.tickNow();
        faults.failNext(Step.HISTORY_COMPLETION, 1);
        loads.get(0).complete(List.of(SseEvent.builder().id("5-0").data("five").build()));
        hub.tickNow();
        assertThat(faults.fired(Step.HISTORY_COMPLETION)).isEqualTo(1);
        waiting.runPendingTasks();
        assertThat(waiting.isOpen()).isFalse();

        EmbeddedChannel resuming = subscribe("10-0");
        hub.tickNow();
        hub.publish("a", SseEvent.builder().id("11-0").data("eleven").build());
        hub.tickNow();
        assertThat(ids(resuming)).containsExactly("11-0");
    }

    @Test
    void failsADrainThatCannotStartAndKeepsServing() throws Exception {
        EmbeddedChannel live = liveStream();
        faults.failNext(Step.DRAIN, 1);
        CompletableFuture<Void> drained = hub.drain(Duration.ZERO, Duration.ofSeconds(1), Duration.ZERO);
        hub.tickNow();
        assertThat(faults.fired(Step.DRAIN)).isEqualTo(1);
        assertThat(drained).isCompletedExceptionally();
        assertThat(live.isOpen()).isTrue();

        assertServesAfter(accepted.get(0), List.of());
        CompletableFuture<Void> again = hub.drain(Duration.ZERO, Duration.ofSeconds(1), Duration.ZERO);
        hub.tickNow();
        streams.runAll();
        again.get(1, TimeUnit.SECONDS);
        assertThat(live.isOpen()).as("the lifted fault lets the next drain work").isFalse();
    }

    @Test
    void anObserverThatThrowsBlocksNeitherDeliveryNorAdmissionsNorDrains() throws Exception {
        hub.close();
        hub = hub(null, nanos -> {
            throw new IllegalStateException("observer bug");
        });
        EmbeddedChannel live = liveStream();
        assertServesAfter(accepted.get(0), List.of());
        CompletableFuture<Void> drained = hub.drain(Duration.ZERO, Duration.ofSeconds(1), Duration.ZERO);
        hub.tickNow();
        streams.runAll();
        drained.get(1, TimeUnit.SECONDS);
        assertThat(hub.stats().tickFailures()).as("counted, once per tick").isGreaterThanOrEqualTo(4);
    }

    @Test
    void theInjectedObserverFaultIsCountedToo() {
        liveStream();
        faults.failNext(Step.OBSERVER, 1);
        hub.tickNow();
        assertThat(faults.fired(Step.OBSERVER)).isEqualTo(1);
        assertThat(hub.stats().tickFailures()).isEqualTo(1);
        assertServesAfter(accepted.get(0), List.of());
    }

    @Test
    void isUnhealthyAfterThreeFailedTicksInARowAndHealthyASecondAfterTheLast() {
        EmbeddedChannel live = liveStream();
        faults.failAlways(Step.OBSERVER);
        hub.tickNow();
        hub.tickNow();
        assertThat(hub.isHealthy()).as("two failed ticks").isTrue();
        hub.tickNow();
        assertThat(hub.isHealthy()).as("three failed ticks in a row").isFalse();

        faults.lift(Step.OBSERVER);
        now += TimeUnit.MILLISECONDS.toNanos(500);
        hub.tickNow();
        assertThat(hub.isHealthy()).as("half a second after the last failure").isFalse();
        now += TimeUnit.MILLISECONDS.toNanos(500);
        hub.tickNow();
        assertThat(hub.isHealthy()).isTrue();
        String next = publish("delivered again");
        hub.tickNow();
        assertThat(ids(live)).containsExactly(next);
    }
}
