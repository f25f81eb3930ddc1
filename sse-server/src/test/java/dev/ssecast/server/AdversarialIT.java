package dev.ssecast.server;

import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.testing.Publishing;
import dev.ssecast.core.testing.SocketTransport;
import io.netty.channel.EventLoopGroup;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One server, one control subscriber that must get every event of its topic in order with no gap, and everything
 * an adversary can throw at the server meanwhile: malformed requests, oversized headers, request smuggling,
 * pipelining, bad UTF-8, clients that never read or reset mid-frame, resumes from every position of a small ring,
 * and (on a second, distributed node) poison Redis entries and a Redis restart. Each case asserts its own answer;
 * after each, the control stream must hold exactly the events accepted so far and {@code /readyz} must be 200.
 * A background publisher keeps publishing numbered events to the control topic during every case but the resume
 * one, whose ring must hold only its own events. Buffer leaks fail the class (paranoid detection, in-process
 * servers).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(60)
class AdversarialIT {
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int RING = 64;
    private static final String CONTROL = "control";

    private EventLoopGroup clients;
    private TestServer server;
    private ControlStream control;

    @BeforeAll
    void start() {
        clients = SocketTransport.newGroup("adversarial-client", 2);
        server = TestServer.start("--replay", Integer.toString(RING), "--heartbeat", "500ms");
        control = ControlStream.open(clients, server.address().getPort(), CONTROL);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            control.close();
        } finally {
            server.close();
            SocketTransport.shutDown(clients);
        }
    }

    @BeforeEach
    void publishToTheControlTopic() {
        control.startPublishing();
    }

    @AfterEach
    void theControlStreamIsExactAndTheServerReady() throws Exception {
        control.stopPublishing();
        control.assertExact();
        assertThat(server.get("/readyz").statusCode()).isEqualTo(200);
        assertThat(metric(server, "ssecast_publish_rejected_total")).isZero();
    }

    /** The value of the unlabelled sample {@code name} on {@code /metrics}. */
    static double metric(TestServer node, String name) throws Exception {
        for (String line : node.get("/metrics").body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError("no sample " + name + " on /metrics");
    }

    private void awaitOpenStreams(long streams) {
        await().atMost(TIMEOUT).until(() -> server.server.broadcaster().openStreams() == streams);
    }

    private record Bad(String what, byte[] request, int status) {
        Bad(String what, String request, int status) {
            this(what, request.getBytes(StandardCharsets.ISO_8859_1), status);
        }
    }

    @Test
    @Order(1)
    void refusesMalformedRequestLinesAndCloses() throws Exception {
        byte[] garbage = new byte[4096];
        new Random(9).nextBytes(garbage);
        List<Bad> cases = List.of(
                new Bad("garbage bytes", garbage, 400),
                new Bad("GET without a target", "GET\r\n\r\n", 400),
                new Bad("GET with an empty target", "GET  HTTP/1.1\r\nHost: localhost\r\n\r\n", 400),
                new Bad("HTTP/2.0", "GET /healthz HTTP/2.0\r\nHost: localhost\r\n\r\n", 505),
                new Bad("NUL bytes before the line", "\0\0\0\0GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", 400),
                new Bad("a NUL byte in the path", "GET /health\0z HTTP/1.1\r\nHost: localhost\r\n\r\n", 400),
                new Bad("a NUL byte in the query", "GET /events?topic=control\0 HTTP/1.1\r\nHost: localhost\r\n\r\n", 400),
                new Bad("a NUL byte in a header", "GET /healthz HTTP/1.1\r\nHost: x\0y\r\n\r\n", 400),
                new Bad("a request line over 8 KiB", "GET /events?topic=" + "a".repeat(9000) + " HTTP/1.1\r\n\r\n",
                        414));
        SoftAssertions softly = new SoftAssertions(); // every case runs, every failure is reported
        for (Bad bad : cases) {
            try (RawConnection raw = server.raw()) {
                raw.send(bad.request());
                RawConnection.Response response = raw.readResponse();
                softly.assertThat(response.status()).as("%s: %s", bad.what(), response.body())
                        .isEqualTo(bad.status());
                softly.assertThat(response.header("connection")).as("%s: connection", bad.what()).isEqualTo("close");
                softly.assertThat(raw.isClosedByServer()).as("%s: closed", bad.what()).isTrue();
            }
        }
        softly.assertAll();
    }

    /** RFC 9112 2.2: a server should ignore empty lines before a request line; they are not a request. */
    @Test
    @Order(2)
    void ignoresBareEmptyLinesAndClosesWhenNothingElseComes() throws Exception {
        try (RawConnection raw = server.raw()) {
            raw.send("\r\n\r\n");
            raw.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            RawConnection.Response response = raw.readResponse();
            assertThat(response.status()).as("the first answer is the request's, none for the empty lines")
                    .isEqualTo(200);
            assertThat(response.body()).isEqualTo("ok\n");
            assertThat(raw.isClosedByServer()).isTrue();
        }
        try (RawConnection raw = server.raw()) {
            raw.send("\r\n\r\n");
            raw.halfClose();
            assertThat(raw.readToEnd()).as("no answer to bare empty lines, then the close").isEmpty();
        }
    }

    @Test
    @Order(3)
    void refuses100KiBOfHeadersWith431AndCloses() throws Exception {
        StringBuilder many = new StringBuilder("GET /events?topic=control HTTP/1.1\r\nHost: localhost\r\n");
        for (int i = 0; i < 100; i++) {
            many.append("X-Filler-").append(i).append(": ").append("v".repeat(1000)).append("\r\n");
        }
        String one = "POST /events?topic=control HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nX-Big: "
                + "v".repeat(100 * 1024) + "\r\n\r\nx";
        for (String request : List.of(many.append("\r\n").toString(), one)) {
            try (RawConnection raw = server.raw()) {
                raw.send(request);
                RawConnection.Response response = raw.readResponse();
                assertThat(response.status()).isEqualTo(431);
                assertThat(response.header("connection")).isEqualTo("close");
                assertThat(raw.isClosedByServer()).isTrue();
            }
        }
    }

    /** Request smuggling: a body framed two ways is refused before any of it is used; the control stream shows it. */
    @Test
    @Order(4)
    void refusesContentLengthWithTransferEncodingBeforeUsingTheBody() throws Exception {
        String smuggled = "POST /events?topic=control HTTP/1.1\r\nHost: localhost\r\nContent-Length: 8\r\n\r\nsmuggled";
        List<String> requests = List.of(
                "POST /events?topic=control HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled,
                "POST /events?topic=control HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
                        + "Content-Length: 83\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + smuggled,
                "POST /events?topic=control HTTP/1.0\r\nHost: localhost\r\nContent-Length: 5\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + smuggled);
        for (String request : requests) {
            try (RawConnection raw = server.raw()) {
                raw.send(request);
                RawConnection.Response response = raw.readResponse();
                assertThat(response.status()).as("%s%n-> %s", request, response.body()).isEqualTo(400);
                assertThat(response.header("connection")).isEqualTo("close");
                assertThat(raw.isClosedByServer()).isTrue();
            }
        }
    }

    @Test
    @Order(5)
    void answersPipelinedPublishesInOrder() throws Exception {
        StringBuilder pipeline = new StringBuilder();
        List<String> data = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String body = "pipelined " + i;
            data.add(body);
            pipeline.append("POST /events?topic=control HTTP/1.1\r\nHost: localhost\r\n");
            if (i % 2 == 0) {
                pipeline.append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body);
            } else {
                pipeline.append("Transfer-Encoding: chunked\r\n\r\n").append(Integer.toHexString(body.length()))
                        .append("\r\n").append(body).append("\r\n0\r\n\r\n");
            }
        }
        try (RawConnection raw = server.raw()) {
            raw.send(pipeline.toString()); // one write: every request reaches the server at once
            String previous = null;
            for (String body : data) {
                RawConnection.Response response = raw.readResponse();
                assertThat(response.status()).as("%s: %s", body, response.body()).isEqualTo(202);
                String id = ControlStream.idOf(response.body());
                if (previous != null) {
                    assertThat(SseBroadcaster.compareIds(previous, id)).as("ids in answer order").isNegative();
                }
                previous = id;
                control.expect(id, body);
            }
            raw.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            assertThat(raw.readResponse().status()).as("the connection is still in step").isEqualTo(200);
            assertThat(raw.isClosedByServer()).isTrue();
        }
    }

    /** docs/server.md: a non-UTF-8 body is a 400 that says so; not a parser error, so the connection stays. */
    @Test
    @Order(6)
    void refusesANonUtf8BodyAndKeepsTheConnection() throws Exception {
        byte[][] bodies = {{(byte) 0xC3, 0x28}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {'o', 'k', (byte) 0xFF}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}};
        try (RawConnection raw = server.raw()) {
            for (int i = 0; i < bodies.length; i++) {
                raw.send(("POST /events?topic=control HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + bodies[i].length
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                raw.send(bodies[i]);
                RawConnection.Response refused = raw.readResponse();
                assertThat(refused.status()).as("body %d", i).isEqualTo(400);
                assertThat(refused.body()).contains("UTF-8");
                assertThat(refused.header("connection")).as("kept alive").isNull();

                String good = "après " + i + " ✓";
                byte[] utf8 = good.getBytes(StandardCharsets.UTF_8);
                raw.send(("POST /events?topic=control HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + utf8.length
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                raw.send(utf8);
                RawConnection.Response accepted = raw.readResponse();
                assertThat(accepted.status()).as("the same connection publishes after it").isEqualTo(202);
                control.expect(ControlStream.idOf(accepted.body()), good);
            }
        }
    }

    /** No option sets the slow-consumer bounds, so the default applies: over 4 MiB queued closes the stream. */
    @Test
    @Order(7)
    void closesSubscribersThatNeverReadAsSlowConsumers() throws Exception {
        awaitOpenStreams(1);
        SseBroadcaster broadcaster = server.server.broadcaster();
        double closedBefore = metric(server, "ssecast_slow_consumers_closed_total");
        int connectionsBefore = server.server.openConnections();
        List<RawConnection> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                stalled.add(new RawConnection(server.address(), 1024)
                        .send("GET /events?topic=bulk&topic=control HTTP/1.1\r\nHost: localhost\r\n\r\n"));
            }
            awaitOpenStreams(51);
            String kib = "k".repeat(1000);
            int sent = 0;
            while (broadcaster.slowConsumersClosed() < closedBefore + 50) {
                assertThat(sent).as("1 KiB events published before the 50 stalled streams were closed")
                        .isLessThan(50_000);
                long ticked = broadcaster.eventsPublished() + 500; // paced by the tick, not by a busy loop
                for (int i = 0; i < 500; i++) {
                    Publishing.publishUntilAccepted(broadcaster, "bulk", SseEvent.ofData(kib + " " + sent++),
                            TIMEOUT);
                }
                await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(5))
                        .until(() -> broadcaster.eventsPublished() >= ticked
                                || broadcaster.slowConsumersClosed() >= closedBefore + 50);
            }
            awaitOpenStreams(1);
            assertThat(metric(server, "ssecast_slow_consumers_closed_total")).isEqualTo(closedBefore + 50);
            assertThat(metric(server, "ssecast_open_streams")).as("only the control stream").isEqualTo(1.0);
            // The server closed its side of all 50 while they are still open here. (Reading them to the end would
            // take minutes: the kernel still sends what it holds through a window of a few bytes.)
            await().atMost(TIMEOUT).until(() -> server.server.openConnections() == connectionsBefore);
        } finally {
            for (RawConnection raw : stalled) {
                raw.reset();
            }
        }
    }

    @Test
    @Order(8)
    void forgetsSubscribersThatCloseOrResetMidFrame() throws Exception {
        awaitOpenStreams(1);
        int connectionsBefore = server.server.openConnections();
        List<RawConnection> leaving = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                RawConnection raw = server.raw();
                leaving.add(raw);
                raw.send("GET /events?topic=bulk&topic=control HTTP/1.1\r\nHost: localhost\r\n\r\n");
                String line;
                do {
                    line = raw.readLine();
                    assertThat(line).as("the stream's retry line").isNotNull();
                } while (!line.startsWith("retry:"));
            }
            awaitOpenStreams(51);
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                lines.add("line-" + i);
            }
            Publishing.publishUntilAccepted(server.server.broadcaster(), "bulk",
                    SseEvent.ofData(String.join("\n", lines)), TIMEOUT);
            for (int i = 0; i < leaving.size(); i++) {
                RawConnection raw = leaving.get(i);
                String line;
                do {
                    line = raw.readLine();
                    assertThat(line).as("a data line of the big event").isNotNull();
                } while (!line.startsWith("data: line-"));
                if (i % 2 == 0) {
                    raw.reset(); // SO_LINGER 0: a reset in the middle of the event
                } else {
                    raw.close(); // unread bytes left: the kernel resets too, or the server's next write fails
                }
            }
            awaitOpenStreams(1);
            assertThat(metric(server, "ssecast_open_streams")).as("only the control stream").isEqualTo(1.0);
            await().atMost(TIMEOUT).until(() -> server.server.openConnections() == connectionsBefore);
        } finally {
            for (RawConnection raw : leaving) {
                raw.close();
            }
        }
    }

    @Test
    @Order(9)
    void resumesFromEveryPositionOfTheRing() throws Exception {
        control.stopPublishing(); // the ring must hold this case's events only
        awaitOpenStreams(1);
        RingResumeCase.run(server, clients, RING);
    }

    @Test
    @Order(10)
    @Timeout(90)
    void skipsPoisonRedisEntriesAndKeepsReadingThroughARedisRestart() throws Exception {
        RedisPoisonCase.run(clients);
    }
}
