package dev.ssecast.server;

import dev.ssecast.core.SseEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Memory mode, over a socket, read with sse-core's {@code SseDecoder} as the WHATWG parser reads it: every stream
 * is primed with an {@code id:} block (no data, so nothing is dispatched) right after its {@code retry:} line, and
 * after a {@code reset}, carrying the newest id the node has ticked; a quiet topic resumes after busy other topics
 * without a reset; heartbeats carry the newest id, so an idle client's last event id stays fresh. Each test has a
 * server of its own: what is newest must not depend on another test.
 */
@Timeout(60)
class PrimingIT {
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Waits until the broadcaster has admitted {@code streams} streams, so their preamble has been written. */
    private void awaitAdmitted(int streams) {
        await().atMost(EventStream.TIMEOUT).until(() -> server.server.broadcaster().openStreams() == streams);
    }

    @Test
    void primesAFreshStreamWithTheNewestTickedIdAcrossTopics() throws Exception {
        server = TestServer.start();
        server.publish("fresh", "old 1");
        server.publish("fresh", "old 2");
        String newest = server.publish("elsewhere", "newest of all");
        server.awaitTicked();
        try (EventStream stream = server.stream("/events?topic=fresh")) {
            stream.awaitRetry();
            awaitAdmitted(1);
            String live = server.publish("fresh", "live");
            stream.awaitLastEventId(newest);
            SseEvent first = stream.awaitEvent();
            assertThat(first.data()).as("no old event is replayed to a fresh stream").isEqualTo("live");
            assertThat(first.id()).isEqualTo(live);
            stream.assertNoMoreEvents();
        }
    }

    @Test
    void primesAStreamOnABrandNewServerWithTheIdJustBeforeTheFirst() throws Exception {
        server = TestServer.start();
        try (EventStream stream = server.stream("/events?topic=first")) {
            stream.awaitRetry();
            awaitAdmitted(1);
            String first = server.publish("first", "the first event");
            String before = Long.toString(Long.parseLong(first) - 1);
            assertThat(before).as("the id before the first one").isNotEqualTo("0").isNotEmpty();
            stream.awaitLastEventId(before);
            SseEvent event = stream.awaitEvent();
            assertThat(event.id()).isEqualTo(first);
            assertThat(event.data()).isEqualTo("the first event");
        }
    }

    @Test
    void followsAResetWithAPrimingIdSoTheClientResumesFromNowOn() throws Exception {
        server = TestServer.start();
        server.publish("reset", "before");
        String newest = server.publish("reset", "newest");
        server.awaitTicked();
        try (EventStream stream = server.stream("/events?topic=reset", Map.of("Last-Event-ID", "not-an-id"))) {
            stream.awaitRetry();
            SseEvent reset = stream.awaitEvent();
            assertThat(reset.type()).isEqualTo("reset");
            assertThat(reset.data()).isEqualTo("{\"reason\":\"unknown-id\"}");
            stream.awaitLastEventId(newest);
            String live = server.publish("reset", "live");
            SseEvent next = stream.awaitEvent();
            assertThat(next.data()).isEqualTo("live");
            assertThat(next.id()).isEqualTo(live);
        }
    }

    @Test
    void resumesAQuietTopicWithoutAResetAfterSixtyEventsOfABusyOne() throws Exception {
        server = TestServer.start("--replay", "50");
        String from = server.publish("a", "a before");
        List<String> busy = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            busy.add(server.publish("b", "b " + i));
        }
        server.awaitTicked();
        try (EventStream stream = server.stream("/events?topic=a", Map.of("Last-Event-ID", from))) {
            stream.awaitRetry();
            awaitAdmitted(1);
            String live = server.publish("a", "a live");
            SseEvent first = stream.awaitEvent();
            assertThat(first.type()).as("no event of topic a after %s was lost, so no reset (got %s)", from, first)
                    .isNull();
            assertThat(first.data()).isEqualTo("a live");
            assertThat(first.id()).isEqualTo(live);
        }
    }

    @Test
    void stillResetsWhenAnEventOfItsOwnTopicAfterTheIdWasEvicted() throws Exception {
        server = TestServer.start("--replay", "50");
        String from = server.publish("a", "a before");
        server.publish("a", "a evicted");
        for (int i = 0; i < 60; i++) {
            server.publish("b", "b " + i);
        }
        server.awaitTicked();
        try (EventStream stream = server.stream("/events?topic=a", Map.of("Last-Event-ID", from))) {
            stream.awaitRetry();
            SseEvent reset = stream.awaitEvent();
            assertThat(reset.type()).isEqualTo("reset");
            assertThat(reset.data()).isEqualTo("{\"reason\":\"too-old\"}");
        }
    }

    @Test
    void heartbeatsCarryTheNewestIdToAnIdleStream() throws Exception {
        server = TestServer.start("--heartbeat", "200ms");
        try (EventStream stream = server.stream("/events?topic=a")) {
            stream.awaitRetry();
            awaitAdmitted(1);
            String newest = null;
            for (int i = 0; i < 3; i++) {
                newest = server.publish("b", "b " + i);
            }
            server.awaitTicked();
            stream.awaitLastEventId(newest);
            stream.assertNoMoreEvents();
        }
    }
}
