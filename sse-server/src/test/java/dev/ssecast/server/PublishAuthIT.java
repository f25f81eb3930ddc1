package dev.ssecast.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Who may publish, and what the publish queue says when it is full. */
@Timeout(60)
class PublishAuthIT {

    @Test
    void requiresTheBearerTokenWhenOneIsSet() throws Exception {
        try (TestServer server = TestServer.start("--publish-token", "s3cret-token-0123")) {
            HttpResponse<String> missing = server.post("/events?topic=auth", "x");
            assertThat(missing.statusCode()).isEqualTo(401);
            assertThat(missing.headers().firstValue("www-authenticate")).hasValueSatisfying(
                    value -> assertThat(value).startsWith("Bearer"));

            HttpResponse<String> wrong = server.post("/events?topic=auth", "x", "Authorization", "Bearer s3cret");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.headers().firstValue("www-authenticate")).hasValueSatisfying(
                    value -> assertThat(value).startsWith("Bearer").contains("invalid_token"));

            HttpResponse<String> otherScheme = server.post("/events?topic=auth", "x",
                    "Authorization", "Basic czNjcmV0LXRva2Vu");
            assertThat(otherScheme.statusCode()).isEqualTo(401);

            for (String authorization : new String[] {"Bearer s3cret-token-0123", "bearer s3cret-token-0123",
                    "BEARER   s3cret-token-0123"}) {
                HttpResponse<String> right = server.post("/events?topic=auth", "x", "Authorization", authorization);
                assertThat(right.statusCode()).as(authorization).isEqualTo(202);
            }
        }
    }

    @Test
    void letsLoopbackClientsPublishWhenNoTokenIsSet() throws Exception {
        try (TestServer server = TestServer.start()) {
            assertThat(server.post("/events?topic=loopback", "x").statusCode()).isEqualTo(202);
        }
    }

    @Test
    void answers503WithRetryAfterWhenThePublishQueueIsFull() throws Exception {
        // One slot, drained once a second: publishes a millisecond apart fill it long before the next tick.
        try (TestServer server = TestServer.start("--publish-queue", "1", "--tick", "1s", "--heartbeat", "1s")) {
            HttpResponse<String> refused = null;
            for (int i = 0; i < 100 && refused == null; i++) {
                HttpResponse<String> response = server.post("/events?topic=full", "x" + i);
                if (response.statusCode() != 202) {
                    refused = response;
                }
            }
            assertThat(refused).as("a publish refused within 100 tries").isNotNull();
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
            assertThat(server.get("/metrics").body()).containsPattern("ssecast_publish_rejected_total [1-9]");
        }
    }
}
