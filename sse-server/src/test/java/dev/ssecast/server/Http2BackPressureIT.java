package dev.ssecast.server;

import dev.ssecast.core.SseEvent;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * HTTP/2 flow control and back-pressure: a stream whose client stops reading holds only its own window; past the
 * per-stream bound it is reset with {@code CANCEL} and its client resumes exactly; a connection whose streams
 * together hold more than {@code --max-connection-queued} gets {@code GOAWAY} and is closed; a window that opens
 * again resumes delivery where it stopped.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class Http2BackPressureIT {
    /** Nearly the largest event a publish may carry (--max-event-bytes is 65,536). */
    private static final String BIG = "x".repeat(60_000);
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

    /** Opens a stream on {@code topic}, reads until the first event {@code first}, then stops reading. */
    private static H2Client.Stream stalled(H2Client client, String topic, TestServer server) throws Exception {
        H2Client.Stream stream = client.stream("/events?topic=" + topic);
        stream.awaitText("retry:");
        server.publishDirect(topic, "first");
        assertThat(stream.awaitEvent().data()).isEqualTo("first");
        stream.channel.config().setAutoRead(false);
        return stream;
    }

    @Test
    void aStreamThatStopsReadingIsResetAndResumesExactlyWhileItsNeighbourGetsEverything() throws Exception {
        server = TestServer.start();
        H2Client client = connect();
        client.widenConnectionWindow(64 << 20);
        H2Client.Stream neighbour = client.stream("/events?topic=s");
        neighbour.awaitText("retry:");
        H2Client.Stream slow = stalled(client, "s", server);
        String firstId = neighbour.awaitEvent().id();

        // One event at a time, each read by the neighbour before the next: the slow stream's queue grows by
        // 60 KB each time, to 6 MB, past the 4 MiB a stream may have queued; the neighbour's never does.
        int burst = 100;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            ids.add(server.publishDirect("s", BIG + i).id());
            assertThat(neighbour.awaitEvent().data()).isEqualTo(BIG + i);
        }
        // The reset arrives as an event even while the stream reads nothing (it ends once it reads what it holds)
        await().atMost(H2Client.TIMEOUT).until(() -> slow.resetCode() != -1);
        assertThat(slow.resetCode()).as("the slow stream is reset with CANCEL").isEqualTo(Http2Error.CANCEL.code());
        assertThat(client.connection.isActive()).as("the connection stays").isTrue();
        assertThat(server.metric("ssecast_slow_consumers_closed_total")).isEqualTo(1);

        // its client comes back with the last id it read, on the same connection
        H2Client.Stream resumed = client.stream("/events?topic=s", "last-event-id", firstId);
        for (int i = 0; i < burst; i++) {
            SseEvent event = resumed.awaitEvent();
            assertThat(event.id()).isEqualTo(ids.get(i));
            assertThat(event.data()).isEqualTo(BIG + i);
        }
        server.publishDirect("s", "after");
        assertThat(resumed.awaitEvent().data()).isEqualTo("after");
        assertThat(neighbour.awaitEvent().data()).isEqualTo("after");
    }

    @Test
    void aConnectionOverItsQueuedBoundGetsGoAwayAndOthersKeepGoing() throws Exception {
        server = TestServer.start("--max-connection-queued", "1MiB");
        H2Client bystander = connect();
        H2Client.Stream watching = bystander.stream("/events?topic=q");
        watching.awaitText("retry:");
        H2Client client = connect(); // the default 64 KiB connection window: two stalled streams hold all of it
        H2Client.Stream one = stalled(client, "q", server);
        H2Client.Stream two = client.stream("/events?topic=q");
        two.awaitText("retry:");
        two.channel.config().setAutoRead(false);
        assertThat(watching.awaitEvent().data()).isEqualTo("first");

        for (int i = 0; i < 30; i++) { // 1.8 MB each, 3.6 MB on the connection: past 1 MiB, each under 4 MiB
            server.publishDirect("q", BIG + i);
            assertThat(watching.awaitEvent().data()).isEqualTo(BIG + i);
        }
        assertThat(client.awaitGoAway()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
        client.connection.closeFuture().await(10, TimeUnit.SECONDS);
        assertThat(client.connection.isActive()).isFalse();
        assertThat(server.metric("ssecast_http2_connections_closed_total{reason=\"queued\"}")).isEqualTo(1);
        assertThat(server.metric("ssecast_slow_consumers_closed_total")).as("not one stream's fault").isZero();
        assertThat(bystander.connection.isActive()).isTrue();
    }

    @Test
    void aWindowThatOpensAgainResumesDeliveryWithNoGap() throws Exception {
        server = TestServer.start();
        H2Client client = connect();
        client.widenConnectionWindow(64 << 20);
        H2Client.Stream paused = stalled(client, "w", server);
        String chunk = "y".repeat(8_000);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) { // 400 KB: past the 64 KiB window, under the 4 MiB a stream may queue
            ids.add(server.publishDirect("w", chunk + i).id());
        }
        await().atMost(H2Client.TIMEOUT).until(() -> server.server.broadcaster().eventsPublished() >= 51);
        // The 64 KiB stream window held most of it back in the server, waiting (nothing lets it through meanwhile)
        assertThat(paused.text().length()).as("what came while paused").isLessThan(50 * 8000 / 2);

        paused.channel.config().setAutoRead(true);
        paused.channel.read();
        for (int i = 0; i < 50; i++) {
            SseEvent event = paused.awaitEvent();
            assertThat(event.id()).isEqualTo(ids.get(i));
            assertThat(event.data()).isEqualTo(chunk + i);
        }
        assertThat(paused.resetCode()).isEqualTo(-1);
        assertThat(server.metric("ssecast_slow_consumers_closed_total")).isZero();
    }
}
