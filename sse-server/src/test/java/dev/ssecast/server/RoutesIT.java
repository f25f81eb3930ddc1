package dev.ssecast.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Health, readiness, metrics, the page, CORS preflight, and the answers to unknown paths and wrong methods. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class RoutesIT {
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
    void healthzAnswersOk() throws Exception {
        HttpResponse<String> response = server.get("/healthz");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("ok\n");
    }

    @Test
    void readyzAnswers200WhileServing() throws Exception {
        assertThat(server.get("/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void headAnswersTheHeadersWithoutABody() throws Exception {
        HttpResponse<String> response = server.client.send(HttpRequest.newBuilder(server.base().resolve("/healthz"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-length")).hasValue("3");
        assertThat(response.body()).isEmpty();
    }

    @Test
    void metricsArePrometheusTextWithTheServersAndTheJvmsMetrics() throws Exception {
        try (EventStream stream = server.stream("/events?topic=metrics")) {
            stream.awaitRetry();
            server.publish("metrics", "counted");
            stream.awaitEvent();
            await().untilAsserted(() -> {
                HttpResponse<String> response = server.get("/metrics");
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("content-type"))
                        .hasValue("text/plain; version=0.0.4; charset=utf-8");
                String body = response.body();
                assertThat(body).contains("# TYPE ssecast_open_streams gauge", "# TYPE ssecast_replay_events gauge",
                        "# TYPE ssecast_tick_duration_seconds histogram", "ssecast_tick_duration_seconds_bucket{le=",
                        "ssecast_slow_consumers_closed_total 0", "ssecast_publish_rejected_total 0",
                        "# TYPE ssecast_ticks_deferred_total counter",
                        "jvm_memory_used_bytes{area=\"heap\"}", "jvm_gc_collection_seconds_count",
                        "ssecast_open_connections", "ssecast_max_connections 5000");
                assertThat(body).containsPattern("(?m)^ssecast_open_streams [1-9]")
                        .containsPattern("(?m)^ssecast_events_published_total [1-9]")
                        .containsPattern("(?m)^ssecast_deliveries_total [1-9]")
                        .containsPattern("(?m)^ssecast_replay_events [1-9]");
            });
        }
    }

    @Test
    void theLivePageIsServedAtTheRoot() throws Exception {
        HttpResponse<String> response = server.get("/?topic=a&topic=b");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(response.headers().firstValue("content-security-policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("script-src 'sha256-", "connect-src 'self'"));
        assertThat(response.body()).contains("new EventSource(", "<meta name=\"ssecast-publish\" content=\"open\">");
    }

    @Test
    void optionsAnswersTheCorsPreflight() throws Exception {
        HttpResponse<String> response = server.client.send(HttpRequest.newBuilder(server.base().resolve("/events"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://elsewhere.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, last-event-id")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.headers().firstValue("access-control-allow-origin")).hasValue("*");
        assertThat(response.headers().firstValue("access-control-allow-methods")).hasValue("GET, POST, OPTIONS");
        assertThat(response.headers().firstValue("access-control-allow-headers"))
                .hasValue("Last-Event-ID, Authorization, Content-Type");
    }

    @Test
    void unknownPathsAre404() throws Exception {
        for (String path : List.of("/nope", "/events/", "/healthz/x", "/index.html", "/EVENTS")) {
            assertThat(server.get(path).statusCode()).as(path).isEqualTo(404);
        }
    }

    @Test
    void wrongMethodsAre405WithAllow() throws Exception {
        record Case(String method, String path, String allow) {
        }
        for (Case c : List.of(new Case("PUT", "/events", "GET, POST, OPTIONS"),
                new Case("DELETE", "/events", "GET, POST, OPTIONS"), new Case("POST", "/healthz", "GET, HEAD"),
                new Case("POST", "/readyz", "GET, HEAD"), new Case("PUT", "/metrics", "GET, HEAD"),
                new Case("POST", "/", "GET, HEAD"))) {
            HttpResponse<String> response = server.client.send(HttpRequest.newBuilder(server.base().resolve(c.path()))
                    .method(c.method(), HttpRequest.BodyPublishers.ofString("x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(c.toString()).isEqualTo(405);
            assertThat(response.headers().firstValue("allow")).as(c.toString()).hasValue(c.allow());
        }
    }

    @Test
    void acceptsAbsoluteFormRequestTargets() throws Exception {
        try (RawConnection raw = server.raw()) {
            raw.send("GET http://localhost/healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(raw.readResponse().body()).isEqualTo("ok\n");
        }
    }
}
