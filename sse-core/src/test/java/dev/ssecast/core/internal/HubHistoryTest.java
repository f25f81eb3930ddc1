package dev.ssecast.core.internal;

import dev.ssecast.core.SseEvent;
import dev.ssecast.core.SseHistory;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;

/** Resumes that the ring cannot account for, served from a history (as the distributed mode's Redis Stream). */
class HubHistoryTest {
    /** Records each load and lets the test complete it. */
    private static final class ScriptedHistory implements SseHistory {
        final List<String> requests = new ArrayList<>();
        final List<CompletableFuture<List<SseEvent>>> pending = new ArrayList<>();

        @Override
        public CompletionStage<List<SseEvent>> eventsBetween(String afterId, String beforeId, Set<String> topics) {
            requests.add(afterId + ".." + beforeId + " " + topics);
            CompletableFuture<List<SseEvent>> load = new CompletableFuture<>();
            pending.add(load);
            return load;
        }
    }

    private final ScriptedHistory history = new ScriptedHistory();
    private final Streams streams = new Streams();
    private final Hub hub = new Hub(Streams.settings(5, 64, 1, true, history), () -> 1_000_000_000L);

    @AfterEach
    void closeEverything() {
        history.pending.forEach(load -> load.complete(List.of()));
        hub.close();
        streams.finishAll();
    }

    private EmbeddedChannel subscribe(String lastEventId, String... topics) {
        return streams.subscribe(hub, lastEventId, topics);
    }

    private void publish(String id, String topic) {
        hub.publish(topic, SseEvent.builder().id(id).data(topic + id).build());
    }

    private static SseEvent stored(String id, String topic) {
        return SseEvent.builder().id(id).data(topic + id).build();
    }

    @Test
    void loadsWhatCameBeforeTheRingThenTheRingThenLiveEvents() {
        publish("10-0", "a");
        publish("11-0", "b");
        publish("12-0", "a");
        hub.tickNow();
        EmbeddedChannel channel = subscribe("5-0", "a");
        hub.tickNow();
        assertThat(history.requests).containsExactly("5-0..10-0 [a]");

        publish("13-0", "a"); // reaches the ring while the load runs: part of the preamble, not live
        hub.tickNow();
        history.pending.get(0).complete(List.of(stored("6-0", "a"), stored("8-0", "a")));
        hub.tickNow();
        assertThat(Wire.stream(channel)).isEqualTo("id: 6-0\ndata: a6-0\n\nid: 8-0\ndata: a8-0\n\n"
                + "id: 10-0\ndata: a10-0\n\nid: 12-0\ndata: a12-0\n\nid: 13-0\ndata: a13-0\n\n");

        publish("14-0", "a");
        hub.tickNow();
        assertThat(Wire.stream(channel)).isEqualTo("id: 14-0\ndata: a14-0\n\n");
    }

    @Test
    void servesFromTheRingAloneWhenItCoversTheId() {
        publish("10-0", "a");
        publish("11-0", "a");
        hub.tickNow();
        EmbeddedChannel channel = subscribe("10-0", "a");
        hub.tickNow();

        assertThat(history.requests).isEmpty();
        assertThat(Wire.stream(channel)).isEqualTo("id: 11-0\ndata: a11-0\n\n");
    }

    @Test
    void closesTheStreamWhenTheRingEvictsWhatFollowsTheLoadWhileItRuns() {
        publish("10-0", "a");
        hub.tickNow();
        EmbeddedChannel channel = subscribe("5-0", "a");
        hub.tickNow();
        for (int i = 11; i <= 15; i++) {
            publish(i + "-0", "b"); // ring of 5: evicts 10-0, which the load stops before
        }
        hub.tickNow();
        history.pending.get(0).complete(List.of(stored("6-0", "a")));
        hub.tickNow();

        assertThat(Wire.stream(channel)).as("nothing: it comes back with 5-0 and loads again").isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(hub.stats().openStreams()).isZero();
    }

    @Test
    void resetsWhenTheHistoryNoLongerHoldsTheId() {
        publish("10-0", "a");
        hub.tickNow();
        EmbeddedChannel channel = subscribe("1-0", "a");
        hub.tickNow();
        history.pending.get(0).complete(null);
        hub.tickNow();

        assertThat(Wire.stream(channel)).isEqualTo("event: reset\ndata: {\"reason\":\"too-old\"}\n\nid: 10-0\n\n");
    }

    @Test
    void endsTheStreamWhenTheHistoryCannotBeReadSoTheClientComesBackLater() {
        publish("10-0", "a");
        hub.tickNow();
        EmbeddedChannel channel = subscribe("1-0", "a");
        hub.tickNow();
        history.pending.get(0).completeExceptionally(new IllegalStateException("redis unreachable"));
        hub.tickNow();

        assertThat(Wire.frames(channel)).containsExactly("0\r\n\r\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(hub.stats().openStreams()).isZero();
    }

    @Test
    void asksForEverythingAfterTheIdWhileTheRingIsEmpty() {
        EmbeddedChannel channel = subscribe("5-0", "a", "b");
        hub.tickNow();
        assertThat(history.requests).containsExactly("5-0..null [a, b]");

        publish("9-0", "b"); // read by this node while the load ran, and also loaded
        hub.tickNow();
        history.pending.get(0).complete(List.of(stored("7-0", "a"), stored("9-0", "b")));
        hub.tickNow();

        assertThat(Wire.stream(channel)).isEqualTo("id: 7-0\ndata: a7-0\n\nid: 9-0\ndata: b9-0\n\n");
    }
}
