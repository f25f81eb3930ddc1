package dev.ssecast.server;

import dev.ssecast.core.SseEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Subscribing over a real socket: the stream's head, its first line, delivery, topics and heartbeats. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class StreamIT {
    private TestServer server;

    @BeforeAll
    void start() {
        server = TestServer.start("--heartbeat", "100ms", "--retry", "2500ms", "--cors-origin", "https://app.example");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void answersWithTheEventStreamHeadAndARetryLineFirst() throws Exception {
        try (EventStream stream = server.stream("/events?topic=head", Map.of("Origin", "https://app.example"))) {
            HttpResponse<?> response = stream.response();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
            assertThat(response.headers().firstValue("cache-control")).hasValue("no-cache");
            assertThat(response.headers().firstValue("x-accel-buffering")).hasValue("no");
            assertThat(response.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");
            assertThat(response.headers().firstValue("access-control-allow-credentials")).hasValue("true");
            assertThat(response.headers().firstValue("vary")).hasValue("origin");
            assertThat(stream.awaitRetry()).isEqualTo(Duration.ofMillis(2500));
        }
    }

    @Test
    void deliversEveryEventPublishedOnceTheRetryLineArrived() throws Exception {
        try (EventStream stream = server.stream("/events?topic=every")) {
            stream.awaitRetry();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ids.add(server.publish("every", "event " + i));
            }
            List<SseEvent> events = stream.awaitEvents(20);
            assertThat(events).extracting(SseEvent::data)
                    .containsExactlyElementsOf(range(20).stream().map(i -> "event " + i).collect(Collectors.toList()));
            assertThat(events).extracting(SseEvent::id).containsExactlyElementsOf(ids);
        }
    }

    @Test
    void idsAreDecimalAndIncreaseAcrossTopics() throws Exception {
        try (EventStream stream = server.stream("/events?topic=ids-a&topic=ids-b")) {
            stream.awaitRetry();
            server.publish("ids-a", "1");
            server.publish("ids-b", "2");
            server.publish("ids-a", "3");
            List<SseEvent> events = stream.awaitEvents(3);
            List<Long> ids = events.stream().map(e -> Long.parseLong(e.id())).collect(Collectors.toList());
            assertThat(events).extracting(SseEvent::id).allMatch(id -> id.matches("[0-9]+"));
            assertThat(ids).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void carriesOnlyTheTopicsSubscribedTo() throws Exception {
        try (EventStream stream = server.stream("/events?topic=only-a&topic=only-b")) {
            stream.awaitRetry();
            server.publish("only-a", "a");
            server.publish("only-c", "c");
            server.publish("only-b", "b");
            server.publish("only-a", "end");
            assertThat(stream.eventsUntil("end")).extracting(SseEvent::data).containsExactly("a", "b");
        }
    }

    @Test
    void subscribesToTopicDefaultWhenNoneIsGiven() throws Exception {
        try (EventStream stream = server.stream("/events")) {
            stream.awaitRetry();
            server.publish("other", "not for default");
            HttpResponse<String> response = server.post("/events", "for default");
            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(stream.awaitEvent().data()).isEqualTo("for default");
        }
    }

    @Test
    void sendsHeartbeatCommentsOnAnIdleStream() throws Exception {
        try (EventStream stream = server.stream("/events?topic=idle")) {
            stream.awaitRetry();
            stream.awaitComment();
            stream.awaitComment();
            stream.assertNoMoreEvents();
        }
    }

    @Test
    void neverCompressesAStream() throws Exception {
        try (EventStream stream = server.stream("/events?topic=gzip", Map.of("Accept-Encoding", "gzip, br"))) {
            assertThat(stream.response().headers().firstValue("content-encoding")).isEmpty();
            stream.awaitRetry();
            server.publish("gzip", "plain");
            assertThat(stream.awaitEvent().data()).isEqualTo("plain");
        }
    }

    @Test
    void refusesTopicsOutsideTheRulesWith400() throws Exception {
        String tooLong = "t".repeat(129);
        for (String query : List.of("topic=", "topic=a%20b", "topic=caf%C3%A9", "topic=" + tooLong,
                "topic=a&topic=b*")) {
            HttpResponse<String> response = server.get("/events?" + query);
            assertThat(response.statusCode()).as(query).isEqualTo(400);
        }
        assertThat(server.get("/events?topic=" + tooLong).body()).contains("topic must be 1..128 characters");
        try (RawConnection raw = server.raw()) {
            raw.send("GET /events?topic=%zz HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(raw.readResponse().status()).as("a malformed escape").isEqualTo(400);
        }
    }

    @Test
    void acceptsUpTo32TopicsOf128Characters() throws Exception {
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            topics.add(String.format("%03d", i) + "x".repeat(122) + "._:/-".charAt(i % 5));
        }
        String query = topics.stream().map(t -> "topic=" + t).collect(Collectors.joining("&"));
        try (EventStream stream = server.stream("/events?" + query)) {
            assertThat(stream.response().statusCode()).isEqualTo(200);
            stream.awaitRetry();
            server.publish(topics.get(31), "last topic");
            assertThat(stream.awaitEvent().data()).isEqualTo("last topic");
        }
        HttpResponse<String> response = server.get("/events?" + query + "&topic=one-more");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("at most 32 topics, was 33");
    }

    private static List<Integer> range(int n) {
        List<Integer> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(i);
        }
        return Collections.unmodifiableList(list);
    }
}
