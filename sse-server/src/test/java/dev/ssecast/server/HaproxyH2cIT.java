package dev.ssecast.server;

import dev.ssecast.core.SseEvent;
import dev.ssecast.core.testing.ExternalBinary;
import dev.ssecast.server.cluster.RedisProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11's HAProxy proof: Debian's HAProxy in HTTP mode with {@code http-reuse always} in front of two nodes on
 * one Redis Stream, each reached over h2c ({@link HaproxyH2cProcess}). Hundreds of HTTP/1.1 clients, one
 * connection each, become streams on a handful of upstream HTTP/2 connections and each gets every event once, in
 * order; a client whose node is drained reconnects through HAProxy with its {@code Last-Event-ID}, lands on the
 * other node and gets exactly what was published meanwhile.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HaproxyH2cIT {
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final int CLIENTS = 600;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> started = new ArrayList<>();
    /** The most HTTP/2 connections each node has had at a scrape by {@link #connections}. */
    private final double[] maxHttp2Connections = new double[2];

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
    void sixHundredClientsShareAFewUpstreamConnectionsAndEachGetsEveryEventOnceInOrder() throws Exception {
        RedisProcess redis = started(requireRedis());
        List<ServerProcess> nodes = List.of(node(redis), node(redis));
        HaproxyH2cProcess haproxy = started(HaproxyH2cProcess.start(nodes.stream().map(ServerProcess::port).toList()));
        URI front = URI.create("http://127.0.0.1:" + haproxy.port() + "/");

        Http1Fleet fleet = started(Http1Fleet.open(haproxy.address(), "/events?topic=t", CLIENTS));
        for (Http1Fleet.Stream stream : fleet.streams()) {
            assertThat(stream.response()).as("a response head").isNotNull();
            assertThat(stream.response().status().code()).isEqualTo(200);
        }
        await().atMost(WITHIN).untilAsserted(() -> assertThat(metric(nodes.get(0), "ssecast_open_streams")
                + metric(nodes.get(1), "ssecast_open_streams")).as("streams on the nodes: %s; clients open: %d",
                connections(nodes, haproxy), fleet.streams().stream().filter(Http1Fleet.Stream::isOpen).count())
                .isEqualTo(CLIENTS));
        List<String> connections = new ArrayList<>(List.of(connections(nodes, haproxy)));

        List<String> accepted = new ArrayList<>();
        List<String> data = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            data.add("event " + i);
            accepted.add(publish(front, data.get(i))); // through HAProxy too: on the shared connections
        }
        connections.add(connections(nodes, haproxy));
        for (Http1Fleet.Stream stream : fleet.streams()) {
            List<SseEvent> events = stream.awaitEvents(accepted.size());
            assertThat(events).extracting(SseEvent::id).isEqualTo(accepted);
            assertThat(events).extracting(SseEvent::data).isEqualTo(data);
        }
        // Whatever a stream got twice would come before this one.
        String last = publish(front, "last");
        for (Http1Fleet.Stream stream : fleet.streams()) {
            assertThat(stream.awaitEvents(1)).extracting(SseEvent::id).containsExactly(last);
        }
        connections.add(connections(nodes, haproxy));
        assertThat(fleet.streams()).allMatch(Http1Fleet.Stream::noMoreEvents, "no stream got anything more");
        assertThat(fleet.streams()).allMatch(Http1Fleet.Stream::isOpen, "every stream is still open");
        System.out.println(CLIENTS + " client connections through HAProxy: " + connections);

        for (int i = 0; i < nodes.size(); i++) {
            assertThat(metric(nodes.get(i), "ssecast_open_streams")).as("streams served by each node (leastconn)")
                    .isGreaterThan(0);
            assertThat(maxHttp2Connections[i])
                    .as("most HTTP/2 connections from HAProxy to one node, for %d streams: %s", CLIENTS, connections)
                    .isBetween(1.0, CLIENTS / 100.0);
        }
    }

    @Test
    void aClientMovedToTheOtherNodeByADrainResumesThroughHaproxyWithoutAGapOrADuplicate() throws Exception {
        RedisProcess redis = started(requireRedis());
        List<ServerProcess> nodes = List.of(node(redis), node(redis));
        HaproxyH2cProcess haproxy = started(HaproxyH2cProcess.start(nodes.stream().map(ServerProcess::port).toList()));
        URI front = URI.create("http://127.0.0.1:" + haproxy.port() + "/");

        EventStream stream = started(EventStream.open(http, front, "/events?topic=t"));
        assertThat(stream.response().statusCode()).isEqualTo(200);
        stream.awaitRetry();
        int on = upstream(stream);
        ServerProcess drained = nodes.get(on);
        ServerProcess other = nodes.get(1 - on);
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            accepted.add(publish(base(drained), "before " + i)); // on the client's node, and via Redis
        }
        List<SseEvent> received = new ArrayList<>(stream.awaitEvents(3));
        assertThat(received).extracting(SseEvent::id).isEqualTo(accepted);

        drained.terminate();
        stream.awaitRetry();
        stream.awaitEnd();
        assertThat(drained.awaitExit(WITHIN)).as("the drained node exits 0").isZero();
        List<String> missed = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            missed.add(publish(base(other), "missed " + i));
        }
        accepted.addAll(missed);
        String lastEventId = received.get(received.size() - 1).id();
        EventStream resumed = started(EventStream.open(http, front, "/events?topic=t",
                Map.of("Last-Event-ID", lastEventId)));
        assertThat(resumed.response().statusCode()).isEqualTo(200);
        assertThat(upstream(resumed)).as("the reconnect through HAProxy lands on the other node").isEqualTo(1 - on);
        resumed.awaitRetry();
        received.addAll(resumed.awaitEvents(3));
        accepted.add(publish(front, "live"));
        received.add(resumed.awaitEvent());
        assertThat(received).extracting(SseEvent::id).isEqualTo(accepted);
        assertThat(received).extracting(SseEvent::data).containsExactly("before 0", "before 1", "before 2",
                "missed 0", "missed 1", "missed 2", "live");
        resumed.assertNoMoreEvents();
    }

    /** The index of the node that serves {@code stream}, from the {@code X-Upstream} HAProxy sets. */
    private static int upstream(EventStream stream) {
        String name = stream.response().headers().firstValue("x-upstream").orElseThrow();
        for (int i = 0; i < 2; i++) {
            if (HaproxyH2cProcess.serverName(i).equals(name)) {
                return i;
            }
        }
        throw new AssertionError("X-Upstream " + name);
    }

    /**
     * Each node's HTTP/2 connections (the most seen kept in {@link #maxHttp2Connections}), all its connections
     * (one more: this scrape's) and streams, and HAProxy's own view of its connections to each.
     */
    private String connections(List<ServerProcess> nodes, HaproxyH2cProcess haproxy) throws Exception {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < nodes.size(); i++) {
            ServerProcess node = nodes.get(i);
            double http2 = metric(node, "ssecast_http2_connections");
            maxHttp2Connections[i] = Math.max(maxHttp2Connections[i], http2);
            line.append(HaproxyH2cProcess.serverName(i)).append(": h2 connections ").append((long) http2)
                    .append(", all connections ").append((long) metric(node, "ssecast_open_connections"))
                    .append(", streams ").append((long) metric(node, "ssecast_open_streams")).append("; ");
        }
        // "show servers conn": per server, used_cur used_max need_est unsafe_nb safe_nb idle_lim idle_cur ...
        return line.append("haproxy: ").append(haproxy.command("show servers conn ssecast").lines()
                .filter(l -> !l.startsWith("#") && !l.isBlank()).map(String::strip)
                .collect(Collectors.joining(" | "))).toString();
    }

    private static RedisProcess requireRedis() throws Exception {
        ExternalBinary.require("haproxy", "haproxy");
        return RedisProcess.start();
    }

    private ServerProcess node(RedisProcess redis) throws Exception {
        ServerProcess node = started(ServerProcess.start(Map.of(), "--host", "127.0.0.1", "--port", "0",
                "--redis", redis.uri(), "--redis-stream", "haproxy-h2c-it", "--drain", "1s", "--retry", "200ms",
                "--heartbeat", "5s", "--trusted-proxies", "127.0.0.1/32",
                // every client of this test is 127.0.0.1: the per-address limit (256) would turn most away
                "--max-connections-per-ip", "0"));
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

    /** A metric's value from the node's /metrics (a scrape over HTTP/1.1: never one of its HTTP/2 connections). */
    private double metric(ServerProcess node, String name) throws Exception {
        HttpResponse<String> metrics = get(node, "/metrics");
        return metrics.body().lines().filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name + " in the " + metrics.statusCode()
                        + " answer: " + metrics.body()));
    }

    /** Publishes to topic t at {@code base} (a node, or HAProxy; loopback may publish without a token). */
    private String publish(URI base, String data) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/events?topic=t"))
                .POST(HttpRequest.BodyPublishers.ofString(data)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("publish %s: %s", data, response.body()).isEqualTo(202);
        String body = response.body();
        return body.substring(body.indexOf(":\"") + 2, body.lastIndexOf('"'));
    }
}
