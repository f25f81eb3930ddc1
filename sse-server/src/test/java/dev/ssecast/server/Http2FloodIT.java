package dev.ssecast.server;

import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import static dev.ssecast.server.RawH2.CONTINUATION;
import static dev.ssecast.server.RawH2.END_HEADERS;
import static dev.ssecast.server.RawH2.END_STREAM;
import static dev.ssecast.server.RawH2.HEADERS;
import static dev.ssecast.server.RawH2.PING;
import static dev.ssecast.server.RawH2.RST_STREAM;
import static dev.ssecast.server.RawH2.SETTINGS;
import static dev.ssecast.server.RawH2.WINDOW_UPDATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * HTTP/2 floods, written frame by frame on a socket ({@link RawH2}): each ends the flooding connection with a
 * {@code GOAWAY} and a close, is counted under its reason in {@code ssecast_http2_connections_closed_total}, and
 * leaves a bystander's stream on another connection delivering. Netty's defences (rapid reset, provoked resets,
 * CONTINUATION floods, header list size, queued control frames) and the server's own PING and SETTINGS rate.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Http2FloodIT {
    private static final long ENHANCE_YOUR_CALM = Http2Error.ENHANCE_YOUR_CALM.code();
    /** The PING and SETTINGS frames a connection may send a second (the server's H2Connection). */
    private static final int CONTROL_FRAMES_PER_SECOND = 100;
    private TestServer server;
    private H2Client bystander;
    private H2Client.Stream watching;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start();
        bystander = H2Client.connect(server.address(), null);
        watching = bystander.stream("/events?topic=bystander");
        watching.awaitText("retry:");
    }

    @AfterEach
    void bystanderIsUnaffected() throws Exception {
        try {
            server.publishDirect("bystander", "still delivering");
            assertThat(watching.awaitEvent().data()).isEqualTo("still delivering");
            assertThat(bystander.connection.isActive()).isTrue();
        } finally {
            bystander.close();
            server.close();
        }
    }

    private double closed(String reason) throws Exception {
        return server.metric("ssecast_http2_connections_closed_total{reason=\"" + reason + "\"}");
    }

    private static void assertGoAwayThenClose(RawH2 raw, long errorCode) throws IOException {
        RawH2.Frame goAway = raw.awaitGoAway();
        assertThat(goAway).as("a GOAWAY before the close").isNotNull();
        assertThat(goAway.errorCode()).isEqualTo(errorCode);
        assertThat(raw.awaitClosed()).as("the server closes the connection").isTrue();
    }

    @Test
    void aPingFloodFromAClientThatReadsIsTurnedAway() throws Exception {
        try (RawH2 raw = new RawH2(server.address())) {
            for (int i = 0; i < 2 * CONTROL_FRAMES_PER_SECOND; i++) {
                raw.frame(PING, 0, 0, new byte[8]);
            }
            assertGoAwayThenClose(raw, ENHANCE_YOUR_CALM);
        }
        assertThat(closed("control-flood")).isEqualTo(1);
    }

    @Test
    void aPingFloodFromAClientThatNeverReadsIsClosed() throws Exception {
        // A 4 KiB receive buffer the client never drains: the ACKs back up in the server unless it stops reading
        // the flood. It does: the rate is hit long before the queued-control-frame bound.
        try (RawH2 raw = new RawH2(server.address(), 4096)) {
            try {
                for (int i = 0; i < 50_000; i++) {
                    raw.frame(PING, 0, 0, new byte[8]);
                }
            } catch (IOException closedByServer) {
                // expected once the server has closed: broken pipe or reset
            }
            await().atMost(H2Client.TIMEOUT).until(() -> closed("control-flood") == 1);
            await().atMost(H2Client.TIMEOUT).until(() -> server.metric("ssecast_http2_connections") == 1);
        }
    }

    @Test
    void aSettingsFloodIsTurnedAway() throws Exception {
        try (RawH2 raw = new RawH2(server.address())) {
            for (int i = 0; i < 2 * CONTROL_FRAMES_PER_SECOND; i++) {
                raw.frame(SETTINGS, 0, 0, new byte[0]);
            }
            assertGoAwayThenClose(raw, ENHANCE_YOUR_CALM);
        }
        assertThat(closed("control-flood")).isEqualTo(1);
    }

    @Test
    void rapidResetIsTurnedAway() throws Exception {
        // CVE-2023-44487: open a stream, reset it at once, again and again
        int limit = 1000; // resets a connection may make in 10 s: --max-streams-per-connection, default 1000
        try (RawH2 raw = new RawH2(server.address())) {
            byte[] subscribe = raw.requestBlock("GET", "/events?topic=reset", "accept", "text/event-stream");
            try {
                for (int i = 0, stream = 1; i <= limit + 10; i++, stream += 2) {
                    raw.frame(HEADERS, END_HEADERS | END_STREAM, stream, subscribe);
                    raw.frame(RST_STREAM, 0, stream, RawH2.int32(Http2Error.CANCEL.code()));
                }
            } catch (IOException closedByServer) {
                // the server may close before the last frames are written
            }
            assertGoAwayThenClose(raw, ENHANCE_YOUR_CALM);
        }
        assertThat(closed("flood")).isEqualTo(1);
        await().atMost(H2Client.TIMEOUT).until(() -> server.server.broadcaster().openStreams() == 1);
    }

    @Test
    void resetsBelowTheBoundLeaveTheConnectionServing() throws Exception {
        // A balancer carrying many clients resets a stream each time one leaves: 500 in a row is no flood here
        // (Netty's own default, 200 in 30 s, would end the connection).
        try (RawH2 raw = new RawH2(server.address())) {
            byte[] subscribe = raw.requestBlock("GET", "/events?topic=reset", "accept", "text/event-stream");
            int stream = 1;
            for (int i = 0; i < 500; i++, stream += 2) {
                raw.frame(HEADERS, END_HEADERS | END_STREAM, stream, subscribe);
                raw.frame(RST_STREAM, 0, stream, RawH2.int32(Http2Error.CANCEL.code()));
            }
            raw.frame(HEADERS, END_HEADERS | END_STREAM, stream, raw.requestBlock("GET", "/healthz"));
            RawH2.Frame answer = raw.awaitAnswer(stream);
            assertThat(answer.type()).isEqualTo(HEADERS);
            assertThat(raw.headers(answer).status().toString()).isEqualTo("200");
        }
        assertThat(closed("flood")).isZero();
    }

    @Test
    void provokedResetsAreTurnedAway() throws Exception {
        // "MadeYouReset": each WINDOW_UPDATE of 0 on an open stream makes the server reset it (PROTOCOL_ERROR);
        // no reset of the client's own, so the rapid-reset bound does not see them.
        try (RawH2 raw = new RawH2(server.address())) {
            byte[] subscribe = raw.requestBlock("GET", "/events?topic=provoked", "accept", "text/event-stream");
            try {
                for (int i = 0, stream = 1; i < 300; i++, stream += 2) {
                    raw.frame(HEADERS, END_HEADERS | END_STREAM, stream, subscribe);
                    raw.frame(WINDOW_UPDATE, 0, stream, RawH2.int32(0));
                }
            } catch (IOException closedByServer) {
                // the server may close before the last frames are written
            }
            assertGoAwayThenClose(raw, ENHANCE_YOUR_CALM);
        }
        assertThat(closed("flood")).isEqualTo(1);
    }

    @Test
    void aContinuationFloodIsTurnedAway() throws Exception {
        try (RawH2 raw = new RawH2(server.address())) {
            byte[] block = raw.requestBlock("GET", "/healthz");
            raw.frame(HEADERS, 0, 1, block); // no END_HEADERS: CONTINUATION frames must follow
            try {
                for (int i = 0; i < 10_000; i++) {
                    raw.frame(CONTINUATION, 0, 1, new byte[0]);
                }
            } catch (IOException closedByServer) {
                // the server closes long before the end
            }
            assertGoAwayThenClose(raw, ENHANCE_YOUR_CALM);
        }
        assertThat(closed("flood")).isEqualTo(1);
    }

    @Test
    void aHeaderListOverTheLimitGets431AndTheConnectionStays() throws Exception {
        try (RawH2 raw = new RawH2(server.address())) {
            raw.headers(1, raw.requestBlock("GET", "/healthz", "x-big", "b".repeat(18_000)), true);
            RawH2.Frame answer = raw.awaitAnswer(1);
            assertThat(answer.type()).isEqualTo(HEADERS);
            assertThat(raw.headers(answer).status().toString()).isEqualTo("431");
            raw.headers(3, raw.requestBlock("GET", "/healthz"), true);
            RawH2.Frame next = raw.awaitAnswer(3);
            Http2Headers ok = raw.headers(next);
            assertThat(ok.status().toString()).as("the connection serves on").isEqualTo("200");
        }
    }

    @Test
    void aHeaderListFarOverTheLimitEndsTheConnection() throws Exception {
        try (RawH2 raw = new RawH2(server.address())) {
            raw.headers(1, raw.requestBlock("GET", "/healthz", "x-big", "b".repeat(64_000)), true);
            RawH2.Frame goAway = raw.awaitGoAway();
            assertThat(goAway).as("a GOAWAY before the close").isNotNull();
            assertThat(goAway.errorCode()).isNotEqualTo(Http2Error.NO_ERROR.code());
            assertThat(raw.awaitClosed()).isTrue();
        }
        assertThat(closed("flood") + closed("protocol-error")).isEqualTo(1);
    }
}
