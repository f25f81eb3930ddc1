package dev.ssecast.server;

import com.google.gson.Gson;
import dev.ssecast.core.testing.ExternalBinary;
import dev.ssecast.server.cluster.RedisProcess;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that connected and got no event loses nothing when its node is drained: two nodes on one Redis Stream
 * behind the nginx of docs/deploy.md; the client's stream is primed with the newest id, the node goes, events are
 * published after the client's {@code error} and before its next {@code open}, and the reconnect carries the primed
 * {@code Last-Event-ID}, so the client gets exactly those events. Three clients: {@link RawEventSource} (sse-core's
 * decoder), Chromium's native EventSource, and npm's {@code eventsource} on Node.js. Each is skipped, with the
 * Debian package to install, where a binary it needs is missing.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterDrainIT {
    private static final Duration WITHIN = Duration.ofSeconds(30);
    /** Long enough that the test provably publishes between the client's error and its reconnect. */
    private static final String RETRY = "4s";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    private <T extends AutoCloseable> T started(T process) {
        started.add(process);
        return process;
    }

    @Test
    void aRawSocketClientWithSseDecoderResumesFromThePrimedIdAfterADrain() throws Exception {
        requireClusterBinaries();
        drainAnIdleClientsNodeAndPublishWhileItIsAway(front -> RawEventSource.open(
                new InetSocketAddress("127.0.0.1", front.getPort()), "/events?topic=t", null));
    }

    @Test
    void chromiumsEventSourceResumesFromThePrimedIdAfterADrain() throws Exception {
        requireClusterBinaries();
        Chromium.binary(); // found, or the test is skipped (or fails under SSECAST_REQUIRE_EXTERNAL=1)
        Path profile = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "chromium-profile");
        Chromium chromium = started(Chromium.start(profile));
        drainAnIdleClientsNodeAndPublishWhileItIsAway(front -> new BrowserEventSource(chromium, front));
    }

    @Test
    void nodeEventSourcePackageResumesFromThePrimedIdAfterADrain() throws Exception {
        requireClusterBinaries();
        ExternalBinary.require("node", "nodejs");
        ExternalBinary.require("npm", "npm");
        NodeEventSource.install();
        drainAnIdleClientsNodeAndPublishWhileItIsAway(front -> NodeEventSource.open(front.resolve("/events?topic=t")));
    }

    /** Opens a client on the nginx front ({@code http://127.0.0.1:<port>/}). */
    private interface ClientFactory {
        RecordingEventSource open(URI front) throws Exception;
    }

    private void drainAnIdleClientsNodeAndPublishWhileItIsAway(ClientFactory factory) throws Exception {
        RedisProcess redis = started(RedisProcess.start());
        ServerProcess a = node(redis);
        publish(a, "before 1");
        String newest = publish(a, "before 2");
        await().atMost(WITHIN).until(() -> metric(a, "ssecast_events_published_total") == 2);
        // B joins later: it has ticked nothing, and its reader starts after the stream's last entry.
        ServerProcess b = node(redis);
        assertThat(b.awaitLine("reading stream")).endsWith("after " + newest);
        NginxProcess nginx = started(NginxProcess.start(List.of(a.port(), b.port())));

        RecordingEventSource client = started(factory.open(URI.create("http://127.0.0.1:" + nginx.port() + "/")));
        await().atMost(WITHIN).until(() -> types(client).contains("open"));
        await().atMost(WITHIN).until(() -> metric(a, "ssecast_open_streams") + metric(b, "ssecast_open_streams") == 1);
        boolean onA = metric(a, "ssecast_open_streams") == 1;
        ServerProcess drained = onA ? a : b;
        ServerProcess other = onA ? b : a;
        EventStream probe = started(EventStream.open(http, base(other), "/events?topic=t"));
        probe.awaitRetry();
        await().atMost(WITHIN).until(() -> metric(other, "ssecast_open_streams") == 1);
        assertThat(client.seen()).as("an idle client of topic t").extracting(RecordingEventSource.Seen::type)
                .containsExactly("open");

        drained.terminate();
        await().atMost(WITHIN).until(() -> types(client).contains("error"));
        assertThat(drained.awaitExit(WITHIN)).as("the drained node exits 0").isZero();
        List<String> missed = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            missed.add(publish(other, "missed " + i));
        }
        assertThat(probe.awaitEvents(3)).extracting(dev.ssecast.core.SseEvent::id).isEqualTo(missed);
        // The other node has ticked them and the client is not back yet: it can only get them by resuming.
        assertThat(metric(other, "ssecast_open_streams")).as("streams on the other node: the probe only").isEqualTo(1);
        assertThat(types(client)).as("the client has not reconnected yet (raise RETRY if it has)")
                .containsExactly("open", "error");

        await().atMost(WITHIN).until(() -> types(client).stream().filter("open"::equals).count() == 2);
        String live = publish(other, "live");
        await().atMost(WITHIN).until(() -> client.seen().stream().anyMatch(s -> "live".equals(s.data())));
        List<RecordingEventSource.Seen> seen = client.seen();
        client.close();
        await().atMost(WITHIN).until(() -> streamRequests(nginx).size() == 2);

        List<RecordingEventSource.Seen> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            expected.add(new RecordingEventSource.Seen("message", "missed " + i, missed.get(i)));
        }
        expected.add(new RecordingEventSource.Seen("message", "live", live));
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(seen.stream().filter(s -> !s.type().equals("open") && !s.type().equals("error")).toList())
                .as("what the client got after its node was drained: exactly the events published meanwhile, then "
                        + "live (seen: %s)", seen)
                .isEqualTo(expected);
        softly.assertThat(streamRequests(nginx).get(1)).as("the reconnect through nginx")
                .contains("last-event-id=\"" + newest + "\"")
                .contains("upstream=127.0.0.1:" + other.port());
        softly.assertAll();
    }

    private ServerProcess node(RedisProcess redis) throws Exception {
        ServerProcess node = started(ServerProcess.start(Map.of(), "--host", "127.0.0.1", "--port", "0",
                "--redis", redis.uri(), "--redis-stream", "cluster-drain-it", "--drain", "1s", "--retry", RETRY,
                "--max-connections", "100"));
        await().atMost(WITHIN).ignoreExceptions().until(() -> get(node, "/readyz").statusCode() == 200);
        return node;
    }

    private static URI base(ServerProcess node) {
        return URI.create("http://127.0.0.1:" + node.port() + "/");
    }

    private HttpResponse<String> get(ServerProcess node, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base(node).resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A metric's value from the node's /metrics. */
    private double metric(ServerProcess node, String name) throws Exception {
        return get(node, "/metrics").body().lines().filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name));
    }

    /** Publishes on one node directly (a loopback peer may publish without a token); returns the id. */
    private String publish(ServerProcess node, String data) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base(node).resolve("/events?topic=t"))
                .POST(HttpRequest.BodyPublishers.ofString(data)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("publish %s: %s", data, response.body()).isEqualTo(202);
        String body = response.body();
        return body.substring(body.indexOf(":\"") + 2, body.lastIndexOf('"'));
    }

    private static List<String> types(RecordingEventSource client) {
        return client.seen().stream().map(RecordingEventSource.Seen::type).toList();
    }

    private static List<String> streamRequests(NginxProcess nginx) throws Exception {
        return nginx.accessLog().stream().filter(l -> l.startsWith("GET /events?topic=t ")).toList();
    }

    private static void requireClusterBinaries() {
        ExternalBinary.require("redis-server", "redis-server");
        ExternalBinary.require("nginx", "nginx");
    }

    /**
     * Chromium's EventSource on a page of the front's origin ({@code /healthz}, a page without scripts of its own),
     * recording into {@code window.seen}, which {@link #seen()} reads back over DevTools.
     */
    private static final class BrowserEventSource implements RecordingEventSource {
        private static final Gson GSON = new Gson();
        private final Chromium.Page page;
        private boolean closed;

        BrowserEventSource(Chromium chromium, URI front) {
            page = chromium.open(front.resolve("/healthz").toString());
            await().atMost(WITHIN).ignoreExceptions().until(() -> page.eval("document.readyState").equals("complete"));
            page.eval("""
                    window.seen = [];
                    window.source = new EventSource('/events?topic=t');
                    source.onopen = () => seen.push({type: 'open'});
                    source.onerror = () => seen.push({type: 'error'});
                    source.onmessage = e => seen.push({type: 'message', data: e.data, lastEventId: e.lastEventId});
                    source.addEventListener('reset',
                            e => seen.push({type: 'reset', data: e.data, lastEventId: e.lastEventId}));
                    'listening'""");
        }

        @Override
        public List<Seen> seen() {
            return Arrays.asList(GSON.fromJson(page.eval("JSON.stringify(window.seen)"), Seen[].class));
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                page.eval("source.close(); 'closed'");
            }
        }
    }
}
