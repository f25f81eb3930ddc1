package dev.ssecast.server;

import dev.ssecast.core.SseEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What raw sockets can send that no client library would: each bad request gets its status and the connection
 * is closed, and nothing else is disturbed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class MalformedRequestIT {
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
    void answersAMalformedRequestLineWith400AndCloses() throws Exception {
        for (String request : List.of("GARBAGE\r\n\r\n", "GET /healthz FOO/1.1\r\n\r\n",
                "G(T /healthz HTTP/1.1\r\n\r\n",
                "GET /healthz\r\n\r\n", "GET /healthz HTTP/1.1\r\nno colon here\r\n\r\n")) {
            try (RawConnection raw = server.raw()) {
                raw.send(request);
                RawConnection.Response response = raw.readResponse();
                assertThat(response.status()).as(request).isEqualTo(400);
                assertThat(response.header("connection")).isEqualTo("close");
                assertThat(raw.isClosedByServer()).isTrue();
            }
        }
    }

    @Test
    void answersAnHttpVersionOtherThan1With505AndCloses() throws Exception {
        try (RawConnection raw = server.raw()) {
            raw.send("GET /healthz HTTP/9.9\r\nHost: localhost\r\n\r\n");
            assertThat(raw.readResponse().status()).isEqualTo(505);
            assertThat(raw.isClosedByServer()).isTrue();
        }
    }

    @Test
    void answersHeadersOverTheLimitWith431AndCloses() throws Exception {
        try (RawConnection raw = server.raw()) {
            raw.send("GET /events HTTP/1.1\r\nHost: localhost\r\nLast-Event-ID: " + "1".repeat(20_000) + "\r\n\r\n");
            assertThat(raw.readResponse().status()).isEqualTo(431);
            assertThat(raw.isClosedByServer()).isTrue();
        }
    }

    @Test
    void answersATooLongRequestLineWith414AndCloses() throws Exception {
        try (RawConnection raw = server.raw()) {
            raw.send("GET /events?topic=" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(raw.readResponse().status()).isEqualTo(414);
            assertThat(raw.isClosedByServer()).isTrue();
        }
    }

    @Test
    void answersABadChunkWith400AndCloses() throws Exception {
        try (RawConnection raw = server.raw()) {
            raw.send("POST /events?topic=bad-chunk HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "zz\r\nabc\r\n0\r\n\r\n");
            assertThat(raw.readResponse().status()).isEqualTo(400);
            assertThat(raw.isClosedByServer()).isTrue();
        }
    }

    @Test
    void answersPipelinedRequestsInOrderOnOneConnection() throws Exception {
        try (RawConnection raw = server.raw()) {
            raw.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "POST /events?topic=pipelined HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /nope HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            assertThat(raw.readResponse().status()).isEqualTo(200);
            assertThat(raw.readResponse().status()).isEqualTo(202);
            assertThat(raw.readResponse().status()).isEqualTo(404);
            RawConnection.Response last = raw.readResponse();
            assertThat(last.body()).isEqualTo("ready\n");
            assertThat(raw.isClosedByServer()).isTrue();
        }
    }

    @Test
    void closesAnHttp10ConnectionAfterItsResponse() throws Exception {
        try (RawConnection raw = server.raw()) {
            raw.send("GET /healthz HTTP/1.0\r\n\r\n");
            assertThat(raw.readResponse().status()).isEqualTo(200);
            assertThat(raw.isClosedByServer()).isTrue();
        }
    }

    @Test
    void badRequestsDisturbNeitherOtherConnectionsNorAcceptedEvents() throws Exception {
        try (EventStream stream = server.stream("/events?topic=undisturbed")) {
            stream.awaitRetry();
            server.publish("undisturbed", "before");
            for (String bad : List.of("GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\nX: " + "x".repeat(20_000) + "\r\n\r\n",
                    "POST /events HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n",
                    "POST /events HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nqq\r\n")) {
                try (RawConnection raw = server.raw()) {
                    raw.send(bad);
                    assertThat(raw.readResponse().status()).isBetween(400, 499);
                }
            }
            server.publish("undisturbed", "after");
            assertThat(stream.awaitEvents(2)).extracting(SseEvent::data).containsExactly("before", "after");
            assertThat(server.get("/healthz").statusCode()).isEqualTo(200);
        }
    }
}
