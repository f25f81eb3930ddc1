package dev.ssecast.server;

import dev.ssecast.core.SseEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /events} over a real socket: bodies, lines, names, sizes, and what each mistake is answered. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class PublishIT {
    private TestServer server;

    @BeforeAll
    void start() {
        server = TestServer.start();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void answers202WithTheIdTheStreamsSee() throws Exception {
        try (EventStream stream = server.stream("/events?topic=ids")) {
            stream.awaitRetry();
            HttpResponse<String> response = server.post("/events?topic=ids", "hello");
            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(response.headers().firstValue("access-control-allow-origin")).hasValue("*");
            assertThat(response.body()).matches("\\{\"id\":\"[0-9]+\"}");
            SseEvent event = stream.awaitEvent();
            assertThat(response.body()).isEqualTo("{\"id\":\"" + event.id() + "\"}");
            assertThat(event.data()).isEqualTo("hello");
        }
    }

    @Test
    void namesTheEventWithTheEventParameter() throws Exception {
        try (EventStream stream = server.stream("/events?topic=named")) {
            stream.awaitRetry();
            assertThat(server.post("/events?topic=named&event=price.update:v1", "42").statusCode()).isEqualTo(202);
            SseEvent event = stream.awaitEvent();
            assertThat(event.type()).isEqualTo("price.update:v1");
            assertThat(event.data()).isEqualTo("42");
        }
    }

    @Test
    void splitsLinesAtCrLfLfAndCrOnly() throws Exception {
        String body = "a\r\nb\nc\rd\u2028e\u2029f\u0085g\u000Bh\u000Ci\r\n\r\nj";
        try (EventStream stream = server.stream("/events?topic=lines")) {
            stream.awaitRetry();
            server.publish("lines", body);
            assertThat(stream.awaitEvent().data()).isEqualTo("a\nb\nc\nd\u2028e\u2029f\u0085g\u000Bh\u000Ci\n\nj");
        }
    }

    @Test
    void keepsAFinalLineBreakAndDeliversCrLfAndCrAsLf() throws Exception {
        try (EventStream stream = server.stream("/events?topic=final")) {
            stream.awaitRetry();
            server.publish("final", "line1\nline2\n");
            server.publish("final", "line1\r\nline2\r\n");
            server.publish("final", "cr\r");
            server.publish("final", "\n");
            assertThat(stream.awaitEvents(4)).extracting(SseEvent::data)
                    .containsExactly("line1\nline2\n", "line1\nline2\n", "cr\n", "\n");
        }
    }

    @Test
    void acceptsABodyOfExactlyTheLimitAndRefusesOneByteMoreWith413() throws Exception {
        byte[] limit = "x".repeat(65_536).getBytes(StandardCharsets.UTF_8);
        assertThat(server.post("/events?topic=size", limit).statusCode()).isEqualTo(202);
        byte[] over = "x".repeat(65_537).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = server.post("/events?topic=size", over);
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("--max-event-bytes (65536 bytes)");
    }

    @Test
    void countsTheLimitInBytesNotCharacters() throws Exception {
        String euros = "\u20ac".repeat(21_845); // 3 bytes each: 65,535 bytes
        assertThat(server.post("/events?topic=bytes", euros).statusCode()).isEqualTo(202);
        assertThat(server.post("/events?topic=bytes", euros + "\u20ac").statusCode()).isEqualTo(413);
    }

    @Test
    void refusesADeclaredOversizedBodyWithoutWaitingForIt() throws Exception {
        try (RawConnection raw = server.raw()) {
            raw.send("POST /events?topic=huge HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000000\r\n\r\n");
            RawConnection.Response response = raw.readResponse();
            assertThat(response.status()).isEqualTo(413);
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(raw.isClosedByServer()).isTrue();
        }
    }

    @Test
    void refusesAnOversizedChunkedBodyWith413AndCloses() throws Exception {
        try (RawConnection raw = server.raw()) {
            String chunk = "y".repeat(40_000);
            raw.send("POST /events?topic=chunked HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n"
                    + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
            RawConnection.Response response = raw.readResponse();
            assertThat(response.status()).isEqualTo(413);
            assertThat(raw.isClosedByServer()).isTrue();
        }
    }

    @Test
    void acceptsAChunkedBodyWithinTheLimit() throws Exception {
        try (RawConnection raw = server.raw()) {
            raw.send("POST /events?topic=chunked-ok HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n");
            assertThat(raw.readResponse().status()).isEqualTo(202);
        }
    }

    @Test
    void refusesEmptyAndNonUtf8BodiesWith400() throws Exception {
        HttpResponse<String> empty = server.post("/events?topic=bad-body", new byte[0]);
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(empty.body()).contains("must not be empty");
        for (byte[] body : List.of(new byte[] {(byte) 0xC3}, new byte[] {'a', (byte) 0xFF, 'b'},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})) {
            HttpResponse<String> response = server.post("/events?topic=bad-body", body);
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("UTF-8");
        }
    }

    @Test
    void refusesEventNamesOutsideTheRulesWith400() throws Exception {
        for (String name : List.of("reset", "", "a%20b", "x".repeat(65), "a/b", "caf%C3%A9")) {
            HttpResponse<String> response = server.post("/events?topic=names&event=" + name, "data");
            assertThat(response.statusCode()).as("event=%s", name).isEqualTo(400);
        }
        assertThat(server.post("/events?topic=names&event=reset", "x").body()).contains("reserved");
        assertThat(server.post("/events?topic=names&event=" + "x".repeat(64), "data").statusCode()).isEqualTo(202);
    }

    @Test
    void refusesBadTopicsAndSeveralTopicsWith400() throws Exception {
        for (String query : List.of("topic=", "topic=a%20b", "topic=" + "t".repeat(129), "topic=a&topic=b")) {
            HttpResponse<String> response = server.post("/events?" + query, "data");
            assertThat(response.statusCode()).as(query).isEqualTo(400);
        }
        assertThat(server.post("/events?topic=" + "t".repeat(128), "data").statusCode()).isEqualTo(202);
    }

    @Test
    void keepsTheConnectionAfterARefusedPublish() throws Exception {
        try (RawConnection raw = server.raw()) {
            raw.send("POST /events?event=reset HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n\r\ndata"
                    + "POST /events?topic=after-refusal HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\nok");
            assertThat(raw.readResponse().status()).isEqualTo(400);
            assertThat(raw.readResponse().status()).isEqualTo(202);
        }
    }

    @Test
    void refusesOtherExpectationsWith417() throws Exception {
        try (RawConnection raw = server.raw()) {
            raw.send("POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: the-unexpected\r\n\r\n");
            assertThat(raw.readResponse().status()).isEqualTo(417);
            assertThat(raw.isClosedByServer()).isTrue();
        }
    }

    @Test
    void answersExpectContinueBeforeTheBody() throws Exception {
        try (RawConnection raw = server.raw()) {
            raw.send("POST /events?topic=continue HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
                    + "Expect: 100-continue\r\n\r\n");
            assertThat(raw.readResponse().status()).isEqualTo(100);
            raw.send("hello");
            assertThat(raw.readResponse().status()).isEqualTo(202);
        }
    }
}
