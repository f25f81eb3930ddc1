package dev.ssecast.server;

import dev.ssecast.core.SseEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resuming with {@code Last-Event-ID} (or {@code lastEventId}) against a replay window of 5 events: exactly the
 * retained events after the id, in order, then live; a {@code reset} when the gap cannot be filled.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class ResumeIT {
    private TestServer server;

    @BeforeAll
    void start() {
        server = TestServer.start("--replay", "5");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void replaysTheRetainedEventsAfterTheIdThenGoesLiveWithoutGapOrDuplicate() throws Exception {
        String first = server.publish("resume", "e1");
        String second = server.publish("resume", "e2");
        server.publish("resume-other", "not mine");
        server.publish("resume", "e3");
        server.publish("resume", "e4");
        server.awaitTicked();
        try (EventStream stream = server.stream("/events?topic=resume", Map.of("Last-Event-ID", second))) {
            stream.awaitRetry();
            List<SseEvent> replayed = stream.awaitEvents(2);
            assertThat(replayed).extracting(SseEvent::data).containsExactly("e3", "e4");
            server.publish("resume", "e5");
            server.publish("resume", "end");
            assertThat(stream.eventsUntil("end")).extracting(SseEvent::data).containsExactly("e5");
            List<Long> ids = new ArrayList<>();
            replayed.forEach(e -> ids.add(Long.parseLong(e.id())));
            assertThat(ids).isSorted().allMatch(id -> id > Long.parseLong(first));
        }
    }

    @Test
    void resumesSeveralTopicsFromOneId() throws Exception {
        String from = server.publish("multi-a", "a1");
        server.publish("multi-b", "b1");
        server.publish("multi-c", "c1");
        server.publish("multi-a", "a2");
        server.awaitTicked();
        try (EventStream stream = server.stream("/events?topic=multi-a&topic=multi-b",
                Map.of("Last-Event-ID", from))) {
            stream.awaitRetry();
            assertThat(stream.awaitEvents(2)).extracting(SseEvent::data).containsExactly("b1", "a2");
        }
    }

    @Test
    void resumesFromTheQueryParameterForClientsThatCannotSetHeaders() throws Exception {
        String from = server.publish("query", "q1");
        server.publish("query", "q2");
        server.awaitTicked();
        try (EventStream stream = server.stream("/events?topic=query&lastEventId=" + from)) {
            stream.awaitRetry();
            assertThat(stream.awaitEvent().data()).isEqualTo("q2");
        }
    }

    @Test
    void theHeaderWinsOverTheQueryParameter() throws Exception {
        String older = server.publish("both", "b1");
        String newer = server.publish("both", "b2");
        server.publish("both", "b3");
        server.awaitTicked();
        try (EventStream stream = server.stream("/events?topic=both&lastEventId=" + older,
                Map.of("Last-Event-ID", newer))) {
            stream.awaitRetry();
            assertThat(stream.awaitEvent().data()).isEqualTo("b3");
        }
    }

    @Test
    void startsWithATooOldResetWhenAnEventAfterTheIdWasEvicted() throws Exception {
        String from = server.publish("evicted", "gone 0");
        for (int i = 1; i <= 6; i++) {
            server.publish("evicted", "gone " + i);
        }
        server.awaitTicked();
        try (EventStream stream = server.stream("/events?topic=evicted", Map.of("Last-Event-ID", from))) {
            stream.awaitRetry();
            SseEvent reset = stream.awaitEvent();
            assertThat(reset.type()).isEqualTo("reset");
            assertThat(reset.data()).isEqualTo("{\"reason\":\"too-old\"}");
            server.publish("evicted", "live");
            assertThat(stream.awaitEvent().data()).as("only live events after a reset").isEqualTo("live");
        }
    }

    @Test
    void startsWithAnUnknownIdResetWhenTheIdDoesNotParse() throws Exception {
        server.awaitTicked();
        try (EventStream stream = server.stream("/events?topic=unknown", Map.of("Last-Event-ID", "not-an-id"))) {
            stream.awaitRetry();
            SseEvent reset = stream.awaitEvent();
            assertThat(reset.type()).isEqualTo("reset");
            assertThat(reset.data()).isEqualTo("{\"reason\":\"unknown-id\"}");
            server.publish("unknown", "live");
            assertThat(stream.awaitEvent().data()).isEqualTo("live");
        }
    }

    @Test
    void anIdNewerThanTheNewestIsNotAReset() throws Exception {
        String newest = server.publish("future", "before");
        String future = Long.toString(Long.parseLong(newest) + 1_000_000);
        server.awaitTicked();
        try (EventStream stream = server.stream("/events?topic=future", Map.of("Last-Event-ID", future))) {
            stream.awaitRetry();
            server.publish("future", "live");
            SseEvent first = stream.awaitEvent();
            assertThat(first.type()).isNull();
            assertThat(first.data()).isEqualTo("live");
        }
    }

    @Test
    void anEmptyLastEventIdMeansNoResume() throws Exception {
        server.publish("empty-id", "old");
        server.awaitTicked();
        try (EventStream stream = server.stream("/events?topic=empty-id&lastEventId=")) {
            stream.awaitRetry();
            server.publish("empty-id", "live");
            assertThat(stream.awaitEvent().data()).isEqualTo("live");
        }
    }
}
