package dev.ssecast.server;

import dev.ssecast.core.SseEvent;
import dev.ssecast.core.testing.EventRecorder;
import dev.ssecast.core.testing.SseTestClient;
import io.netty.channel.EventLoopGroup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.ssecast.server.AdversarialIT.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The resume case of {@link AdversarialIT}: with a ring of {@code ring} events, 100 events are published, then one
 * stream resumes after each of them, plus after an id older than all, one newer than all, and one that does not
 * parse, all at once. After event k the stream replays k+1..100 exactly while none of them was evicted
 * (k >= 100 - ring), else it starts with a too-old reset; the older id is too-old, the newer one simply goes live,
 * the unparsable one is an unknown-id reset. Then one live event must follow on every stream, so a duplicate or a
 * stray event shows up before it. Nothing else may be published meanwhile: the ring must hold these events only.
 */
final class RingResumeCase {
    private static final Duration TIMEOUT = AdversarialIT.TIMEOUT;
    private static final int PUBLISHED = 100;
    private static final String TOO_OLD = "reset {\"reason\":\"too-old\"}";
    private static final String UNKNOWN = "reset {\"reason\":\"unknown-id\"}";

    private RingResumeCase() {
    }

    static void run(TestServer server, EventLoopGroup clients, int ring) throws Exception {
        long open = server.server.broadcaster().openStreams();
        double resetsBefore = metric(server, "ssecast_resets_total");
        List<SseTestClient> streams = new ArrayList<>();
        try {
            SseTestClient live = subscribe(server, clients, null);
            streams.add(live);
            live.recorder().awaitRetry(TIMEOUT);
            awaitOpenStreams(server, open + 1);
            List<String> ids = new ArrayList<>();
            for (int k = 1; k <= PUBLISHED; k++) {
                ids.add(server.publish("resume", "resume " + k));
            }
            live.recorder().awaitEvents(PUBLISHED, TIMEOUT); // every one ticked into the ring

            List<String> from = new ArrayList<>(ids);
            List<List<String>> expected = new ArrayList<>();
            for (int k = 1; k <= PUBLISHED; k++) {
                List<String> replay = new ArrayList<>();
                for (int after = k + 1; after <= PUBLISHED; after++) {
                    replay.add(ids.get(after - 1) + " resume " + after);
                }
                expected.add(k + 1 > PUBLISHED - ring ? replay : List.of(TOO_OLD));
            }
            from.add("1");
            expected.add(List.of(TOO_OLD));
            from.add(Long.toString(Long.parseLong(ids.get(PUBLISHED - 1)) + 1_000_000));
            expected.add(List.of());
            from.add("yesterday");
            expected.add(List.of(UNKNOWN));
            for (String id : from) {
                streams.add(subscribe(server, clients, id));
            }
            awaitOpenStreams(server, open + 1 + from.size()); // all admitted before anything more is published
            for (int i = 0; i < from.size(); i++) {
                EventRecorder recorder = streams.get(i + 1).recorder();
                assertThat(describe(recorder.awaitEvents(expected.get(i).size(), TIMEOUT)))
                        .as("resuming after %s", from.get(i)).containsExactlyElementsOf(expected.get(i));
            }
            String end = server.publish("resume", "resume end");
            for (int i = 0; i < from.size(); i++) {
                EventRecorder recorder = streams.get(i + 1).recorder();
                assertThat(describe(recorder.awaitEvents(1, TIMEOUT))).as("after %s, live", from.get(i))
                        .containsExactly(end + " resume end");
                recorder.assertNoMoreEvents();
            }
            long tooOld = expected.stream().filter(List.of(TOO_OLD)::equals).count();
            assertThat(metric(server, "ssecast_resets_total")).as("%d too-old resets and one unknown-id", tooOld)
                    .isEqualTo(resetsBefore + tooOld + 1);
        } finally {
            streams.forEach(SseTestClient::close);
        }
        awaitOpenStreams(server, open);
    }

    private static SseTestClient subscribe(TestServer server, EventLoopGroup clients, String lastEventId) {
        return SseTestClient.builder(clients, server.address().getPort()).path("/events?topic=resume")
                .lastEventId(lastEventId).connect();
    }

    private static void awaitOpenStreams(TestServer server, long streams) {
        await().atMost(TIMEOUT).until(() -> server.server.broadcaster().openStreams() == streams);
    }

    /** An event as this case compares it: {@code <id> <data>}, or {@code reset <data>} (its id aside). */
    private static List<String> describe(List<SseEvent> events) {
        List<String> out = new ArrayList<>();
        for (SseEvent e : events) {
            out.add("reset".equals(e.type()) ? "reset " + e.data()
                    : e.id() + (e.type() == null ? "" : " " + e.type()) + " " + e.data());
        }
        return out;
    }
}
