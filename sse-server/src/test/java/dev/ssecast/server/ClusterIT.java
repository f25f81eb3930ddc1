package dev.ssecast.server;

import dev.ssecast.core.SseEvent;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two nodes on one Redis Stream behind the nginx configuration of docs/deploy.md: a client through nginx gets the
 * events published on either node, is moved to the other node by a drain and resumes there with no gap and no
 * duplicate, and keeps its stream while Redis restarts.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterIT {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
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

    private ServerProcess node(RedisProcess redis) throws Exception {
        ServerProcess node = started(ServerProcess.start(Map.of(), "--host", "127.0.0.1", "--port", "0",
                "--redis", redis.uri(), "--redis-stream", "cluster-it", "--drain", "1s", "--retry", "200ms",
                "--heartbeat", "1s"));
        int port = node.port();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> status("http://127.0.0.1:" + port + "/readyz") == 200);
        return node;
    }

    private int status(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** Publishes on one node directly (a loopback peer may publish without a token); returns the id. */
    private String publish(ServerProcess node, String data) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.port() + "/events?topic=t"))
                .POST(HttpRequest.BodyPublishers.ofString(data)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("publish %s: %s", data, response.body()).isEqualTo(202);
        String body = response.body();
        return body.substring(body.indexOf(":\"") + 2, body.lastIndexOf('"'));
    }

    private static String upstreamPort(EventStream stream) {
        String upstream = stream.response().headers().firstValue("x-upstream").orElseThrow();
        return upstream.substring(upstream.lastIndexOf(':') + 1);
    }

    @Test
    void movesAClientAcrossNodesWithoutAGapAndKeepsItThroughARedisRestart() throws Exception {
        RedisProcess redis = started(RedisProcess.start());
        ServerProcess a = node(redis);
        ServerProcess b = node(redis);
        NginxProcess nginx = started(NginxProcess.start(List.of(a.port(), b.port())));
        URI front = URI.create("http://127.0.0.1:" + nginx.port());

        EventStream stream = started(EventStream.open(http, front, "/events?topic=t"));
        assertThat(stream.response().statusCode()).isEqualTo(200);
        stream.awaitRetry();
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            accepted.add(publish(a, "a" + i));
            accepted.add(publish(b, "b" + i));
        }
        List<SseEvent> received = new ArrayList<>(stream.awaitEvents(6));
        assertThat(received).extracting(SseEvent::id).isEqualTo(accepted);

        // Drain the node the client is on; it reconnects through nginx with its Last-Event-ID.
        boolean onA = upstreamPort(stream).equals(String.valueOf(a.port()));
        ServerProcess drained = onA ? a : b;
        ServerProcess other = onA ? b : a;
        drained.terminate();
        stream.awaitRetry();
        stream.awaitEnd();
        for (int i = 0; i < 3; i++) {
            accepted.add(publish(other, "missed" + i));
        }
        String lastEventId = received.get(received.size() - 1).id();
        EventStream resumed = null;
        for (int attempt = 0; attempt < 10 && resumed == null; attempt++) {
            EventStream candidate = EventStream.open(http, front, "/events?topic=t",
                    Map.of("Last-Event-ID", lastEventId));
            if (upstreamPort(candidate).equals(String.valueOf(other.port()))) {
                resumed = started(candidate);
            } else {
                candidate.close(); // the draining node says "retry later"; the next try goes elsewhere
            }
        }
        assertThat(resumed).as("a reconnect through nginx landed on the other node").isNotNull();
        resumed.awaitRetry();
        received.addAll(resumed.awaitEvents(3));
        accepted.add(publish(other, "live"));
        received.add(resumed.awaitEvent());
        assertThat(received).extracting(SseEvent::id).isEqualTo(accepted);
        assertThat(drained.awaitExit(Duration.ofSeconds(30))).as("the drained node exits 0").isZero();

        // Redis goes away and comes back under the open stream.
        redis.stop();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> status("http://127.0.0.1:" + other.port() + "/readyz") == 503);
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other.port() + "/events?topic=t"))
                .POST(HttpRequest.BodyPublishers.ofString("refused")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).as("publish while Redis is down").isEqualTo(503);
        redis.startAgain();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> status("http://127.0.0.1:" + other.port() + "/readyz") == 200);
        for (int i = 0; i < 3; i++) {
            accepted.add(publish(other, "after-restart" + i));
        }
        received.addAll(resumed.awaitEvents(3));
        assertThat(received).extracting(SseEvent::id).isEqualTo(accepted);
        assertThat(received).extracting(SseEvent::data).doesNotContain("refused");
        resumed.assertNoMoreEvents();
    }
}
