package dev.ssecast.server;

import dev.ssecast.core.SseEvent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * HTTP/2 with prior knowledge on the plain port: many streams over one connection, each getting every event;
 * the same routes, resume and limits as HTTP/1.1; refusals that reset a stream, never the connection; the
 * drain's two GOAWAYs. (TLS with ALPN is {@code TlsIT}'s; floods are {@code Http2FloodIT}'s.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Http2IT {
    private TestServer server;
    private final List<H2Client> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(H2Client::close);
        if (server != null) {
            server.close();
        }
    }

    private H2Client connect() throws InterruptedException {
        H2Client client = H2Client.connect(server.address(), null);
        clients.add(client);
        return client;
    }

    @Test
    void twoHundredStreamsOnOneConnectionGetEveryEventInOrder() throws Exception {
        server = TestServer.start();
        H2Client client = connect();
        List<H2Client.Stream> streams = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            streams.add(client.stream("/events?topic=t"));
        }
        for (H2Client.Stream stream : streams) {
            assertThat(stream.status()).isEqualTo("200");
            assertThat(stream.headers().get("content-type")).hasToString("text/event-stream; charset=utf-8");
            assertThat(stream.headers().contains("transfer-encoding")).isFalse();
            stream.awaitText("retry: 3000\n\n");
        }
        await().atMost(H2Client.TIMEOUT).until(() -> server.server.broadcaster().openStreams() == 200);
        for (int i = 0; i < 3; i++) {
            client.publish("t", "event " + i); // publishes share the connection with the streams
        }
        for (H2Client.Stream stream : streams) {
            for (int i = 0; i < 3; i++) {
                assertThat(stream.awaitEvent().data()).isEqualTo("event " + i);
            }
        }
        assertThat(server.server.openConnections()).as("every stream and publish on one connection").isEqualTo(1);
        assertThat(server.metric("ssecast_http2_connections")).isEqualTo(1);
        assertThat(server.metric("ssecast_http_streams")).isEqualTo(200);
    }

    @Test
    void resumesExactlyAfterTheLastEventIdOverHttp2() throws Exception {
        server = TestServer.start();
        H2Client client = connect();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(server.publish("r", "e" + i));
        }
        server.awaitTicked();
        H2Client.Stream stream = client.stream("/events?topic=r", "last-event-id", ids.get(1));
        for (int i = 2; i < 5; i++) {
            SseEvent event = stream.awaitEvent();
            assertThat(event.data()).isEqualTo("e" + i);
            assertThat(event.id()).isEqualTo(ids.get(i));
        }
        client.publish("r", "live");
        assertThat(stream.awaitEvent().data()).isEqualTo("live");
    }

    @Test
    void answersTheSameRoutesAndKeepsTheConnectionAfterEachAnswer() throws Exception {
        server = TestServer.start();
        H2Client client = connect();
        H2Client.Stream health = client.request("GET", "/healthz", null);
        assertThat(health.status()).isEqualTo("200");
        assertThat(health.text()).isEqualTo("ok\n");
        assertThat(client.request("GET", "/readyz", null).status()).isEqualTo("200");
        H2Client.Stream missing = client.request("GET", "/nowhere", null);
        assertThat(missing.status()).isEqualTo("404");
        H2Client.Stream wrongMethod = client.request("DELETE", "/events", null);
        assertThat(wrongMethod.status()).isEqualTo("405");
        assertThat(wrongMethod.headers().get("allow")).isNotNull();
        assertThat(wrongMethod.headers().contains("connection")).as("no HTTP/1.1 connection field").isFalse();
        H2Client.Stream metrics = client.request("GET", "/metrics", null);
        assertThat(metrics.status()).isEqualTo("200");
        assertThat(metrics.text()).contains("ssecast_open_streams");
        H2Client.Stream page = client.request("GET", "/", null);
        assertThat(page.status()).isEqualTo("200");
        assertThat(page.text()).contains("<html");
        assertThat(client.connection.isActive()).as("every answer ended its stream only").isTrue();
        H2Client.Stream stream = client.stream("/events?topic=x");
        stream.awaitText("retry:");
        client.publish("x", "still here");
        assertThat(stream.awaitEvent().data()).isEqualTo("still here");
    }

    @Test
    void anUpgradeToH2cIsIgnoredAndServedAsHttp11() throws Exception {
        server = TestServer.start();
        try (RawConnection raw = server.raw()) {
            RawConnection.Response response = raw.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n"
                    + "\r\n").readResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("upgrade")).isNull();
            assertThat(response.body()).isEqualTo("ok\n");
        }
    }

    @Test
    void announcesItsStreamLimitAndHeaderListSize() throws Exception {
        server = TestServer.start("--max-streams-per-connection", "7");
        H2Client client = connect();
        Object first = client.connectionFrames.poll(10, TimeUnit.SECONDS);
        assertThat(first).isInstanceOf(Http2SettingsFrame.class);
        assertThat(((Http2SettingsFrame) first).settings().maxConcurrentStreams()).isEqualTo(7L);
        assertThat(((Http2SettingsFrame) first).settings().maxHeaderListSize()).isEqualTo(16384L);
    }

    @Test
    void aStreamOverMaxStreamsGetsARetryAndEndStreamWhileTheConnectionStays() throws Exception {
        server = TestServer.start("--max-streams", "3");
        H2Client client = connect();
        List<H2Client.Stream> admitted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            H2Client.Stream stream = client.stream("/events?topic=m");
            stream.awaitText("retry: 3000");
            admitted.add(stream);
        }
        H2Client.Stream fourth = client.stream("/events?topic=m");
        assertThat(fourth.status()).isEqualTo("200"); // what an EventSource retries on, unlike a 503
        fourth.awaitEnd();
        assertThat(fourth.endedByServer()).isTrue();
        assertThat(fourth.resetCode()).isEqualTo(-1);
        assertThat(fourth.text()).matches("retry: \\d+\n\n");
        assertThat(server.get("/metrics").body()).contains("ssecast_streams_turned_away_total{reason=\"streams\"} 1.0");
        client.publish("m", "for the three");
        for (H2Client.Stream stream : admitted) {
            assertThat(stream.awaitEvent().data()).isEqualTo("for the three");
        }
        admitted.get(0).channel.close(); // a freed place is taken by the next stream
        await().atMost(H2Client.TIMEOUT).until(() -> server.server.broadcaster().openStreams() == 2);
        H2Client.Stream next = client.stream("/events?topic=m");
        next.awaitText("retry: 3000");
        client.publish("m", "for the next");
        assertThat(next.awaitEvent().data()).isEqualTo("for the next");
    }

    @Test
    void streamsCountAgainstThePerAddressLimitAndARefusalEndsOnlyItsStream() throws Exception {
        // the connection itself and two streams: the third stream is over 3
        server = TestServer.start("--max-connections-per-ip", "3");
        H2Client client = connect();
        H2Client.Stream one = client.stream("/events?topic=a");
        H2Client.Stream two = client.stream("/events?topic=a");
        one.awaitText("retry: 3000");
        two.awaitText("retry: 3000");
        H2Client.Stream three = client.stream("/events?topic=a");
        three.awaitEnd();
        assertThat(three.status()).isEqualTo("200");
        assertThat(three.endedByServer()).isTrue();
        H2Client.Stream publish = client.request("POST", "/events?topic=a", "x");
        assertThat(publish.status()).isEqualTo("429");
        assertThat(client.connection.isActive()).isTrue();
        server.publishDirect("a", "to both");
        assertThat(one.awaitEvent().data()).isEqualTo("to both");
        assertThat(two.awaitEvent().data()).isEqualTo("to both");
    }

    @Test
    void aClientResetEndsItsStreamOnly() throws Exception {
        server = TestServer.start();
        H2Client client = connect();
        H2Client.Stream kept = client.stream("/events?topic=c");
        H2Client.Stream dropped = client.stream("/events?topic=c");
        kept.awaitText("retry:");
        dropped.awaitText("retry:");
        await().atMost(H2Client.TIMEOUT).until(() -> server.server.broadcaster().openStreams() == 2);
        dropped.channel.close(); // RST_STREAM(CANCEL)
        await().atMost(H2Client.TIMEOUT).until(() -> server.server.broadcaster().openStreams() == 1);
        server.publishDirect("c", "after the reset");
        assertThat(kept.awaitEvent().data()).isEqualTo("after the reset");
    }

    @Test
    void drainSendsAGracefulGoAwayEndsEveryStreamWithARetryThenTheLastGoAway() throws Exception {
        server = TestServer.start("--drain", "1s");
        H2Client client = connect();
        List<H2Client.Stream> streams = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            H2Client.Stream stream = client.stream("/events?topic=d");
            stream.awaitText("retry: 3000");
            streams.add(stream);
        }
        server.server.drain();
        assertThat(client.awaitGoAway()).as("the first GOAWAY").isEqualTo(Http2Error.NO_ERROR.code());
        for (H2Client.Stream stream : streams) {
            stream.awaitEnd();
            assertThat(stream.endedByServer()).isTrue();
            assertThat(stream.text()).matches("(?s)retry: 3000\n\n(id: \\d+\n\n)?retry: \\d+\n\n");
        }
        assertThat(client.awaitGoAway()).as("the last GOAWAY").isEqualTo(Http2Error.NO_ERROR.code());
        client.connection.closeFuture().await(10, TimeUnit.SECONDS);
        assertThat(client.connection.isActive()).isFalse();
        server.server.terminated().join();
        server = null;
    }

    @Test
    void anIdleConnectionIsClosedWithGoAwayAfterTheRequestTimeout() throws Exception {
        server = TestServer.start("--request-timeout", "1s");
        H2Client client = connect();
        assertThat(client.request("GET", "/healthz", null).status()).isEqualTo("200");
        assertThat(client.awaitGoAway()).isEqualTo(Http2Error.NO_ERROR.code());
        client.connection.closeFuture().await(10, TimeUnit.SECONDS);
        assertThat(client.connection.isActive()).isFalse();
    }

    @Test
    void aStreamKeepsItsConnectionOpenPastTheRequestTimeout() throws Exception {
        server = TestServer.start("--request-timeout", "1s");
        H2Client client = connect();
        H2Client.Stream stream = client.stream("/events?topic=k");
        stream.awaitText("retry:");
        H2Client idle = connect(); // its idle GOAWAY shows the checks have run past the timeout
        assertThat(idle.awaitGoAway()).isEqualTo(Http2Error.NO_ERROR.code());
        server.publishDirect("k", "still open");
        assertThat(stream.awaitEvent().data()).isEqualTo("still open");
        assertThat(client.connectionFrames).noneMatch(frame -> frame instanceof Long);
    }

    @Test
    void aStreamPastTheConcurrentStreamLimitIsRefusedAndTheConnectionServesOn() throws Exception {
        // A client that ignores SETTINGS_MAX_CONCURRENT_STREAMS gets RST_STREAM(REFUSED_STREAM) for the stream
        // over it (RFC 9113 5.1.2: nothing was processed, so it may retry), and keeps its connection.
        server = TestServer.start("--max-streams-per-connection", "2");
        try (RawH2 raw = new RawH2(server.address())) {
            byte[] subscribe = raw.requestBlock("GET", "/events?topic=l", "accept", "text/event-stream");
            raw.frame(RawH2.HEADERS, RawH2.END_HEADERS | RawH2.END_STREAM, 1, subscribe);
            raw.frame(RawH2.HEADERS, RawH2.END_HEADERS | RawH2.END_STREAM, 3, subscribe);
            raw.frame(RawH2.HEADERS, RawH2.END_HEADERS | RawH2.END_STREAM, 5, subscribe);
            RawH2.Frame refused = raw.awaitAnswer(5);
            assertThat(refused.type()).isEqualTo(RawH2.RST_STREAM);
            assertThat(refused.errorCode()).isEqualTo(Http2Error.REFUSED_STREAM.code());
            await().atMost(H2Client.TIMEOUT).until(() -> server.server.broadcaster().openStreams() == 2);
            raw.frame(RawH2.RST_STREAM, 0, 1, RawH2.int32(Http2Error.CANCEL.code())); // a slot frees up
            raw.frame(RawH2.HEADERS, RawH2.END_HEADERS | RawH2.END_STREAM, 7, raw.requestBlock("GET", "/healthz"));
            RawH2.Frame answer = raw.awaitAnswer(7);
            assertThat(answer.type()).isEqualTo(RawH2.HEADERS);
            assertThat(raw.headers(answer).status().toString()).isEqualTo("200");
        }
    }

    @Test
    void aConnectionResetUnderLoadEndsAllItsStreamsAndLeavesNothingBehind() throws Exception {
        // A hundred streams, events flowing and some held for the client's windows, then a TCP reset: every one of
        // its streams leaves the registry, the counts fall back, and (paranoid leak detection) no slice of a
        // frame is left pinned in the dead connection's flow controller.
        server = TestServer.start();
        H2Client bystander = connect();
        H2Client.Stream watching = bystander.stream("/events?topic=r");
        watching.awaitText("retry:");
        RawH2 raw = new RawH2(server.address(), 4096); // a small window of its own: it never reads
        byte[] subscribe = raw.requestBlock("GET", "/events?topic=r", "accept", "text/event-stream");
        for (int i = 0, stream = 1; i < 100; i++, stream += 2) {
            raw.frame(RawH2.HEADERS, RawH2.END_HEADERS | RawH2.END_STREAM, stream, subscribe);
        }
        await().atMost(H2Client.TIMEOUT).until(() -> server.server.broadcaster().openStreams() == 101);
        String big = "z".repeat(30_000);
        for (int i = 0; i < 20; i++) { // 600 KB to each of 100 streams: far past the 64 KiB windows
            server.publishDirect("r", big + i);
            assertThat(watching.awaitEvent().data()).isEqualTo(big + i);
        }
        raw.reset();

        await().atMost(H2Client.TIMEOUT).until(() -> server.server.broadcaster().openStreams() == 1);
        await().atMost(H2Client.TIMEOUT).until(() -> server.metric("ssecast_http_streams") == 1
                && server.metric("ssecast_http2_connections") == 1);
        server.publishDirect("r", "after");
        assertThat(watching.awaitEvent().data()).isEqualTo("after");
    }

    @Test
    void aPrefaceThatBreaksOffIsHttp11() throws IOException {
        server = TestServer.start();
        try (RawConnection raw = server.raw()) {
            RawConnection.Response response = raw.send("PRI /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .readResponse();
            assertThat(response.status()).isEqualTo(405);
        }
    }
}
