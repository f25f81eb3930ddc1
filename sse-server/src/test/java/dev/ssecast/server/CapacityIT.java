package dev.ssecast.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Over {@code --max-connections}: subscribers get 200, a jittered retry and the end, never a 503. */
@Timeout(60)
class CapacityIT {

    @Test
    void turnsSubscribersAwayWithAJitteredRetryWhileFullAndServesThemAgainOnceNot() throws Exception {
        try (TestServer server = TestServer.start("--max-connections", "2", "--retry", "3000ms")) {
            EventStream first = server.stream("/events?topic=full");
            first.awaitRetry();
            try (EventStream second = server.stream("/events?topic=full")) {
                second.awaitRetry();
                await().until(() -> server.server.openConnections() == 2);

                try (EventStream turnedAway = server.streamAlone("/events?topic=full")) {
                    assertThat(turnedAway.response().statusCode()).isEqualTo(200);
                    assertThat(turnedAway.response().headers().firstValue("content-type"))
                            .hasValue("text/event-stream; charset=utf-8");
                    assertThat(turnedAway.awaitRetry()).isBetween(Duration.ofMillis(3000), Duration.ofMillis(6000));
                    turnedAway.awaitEnd();
                }
                try (RawConnection raw = server.raw()) {
                    raw.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
                    assertThat(raw.readResponse().status()).as("probes are answered while full").isEqualTo(200);
                }

                first.close();
                await().until(() -> server.server.openConnections() == 1);
                try (EventStream again = server.stream("/events?topic=full")) {
                    again.awaitRetry();
                    server.publish("full", "served again");
                    assertThat(again.awaitEvent().data()).isEqualTo("served again");
                    assertThat(second.awaitEvent().data()).isEqualTo("served again");
                }
            }
            assertThat(server.get("/metrics").body())
                    .contains("ssecast_streams_turned_away_total{reason=\"capacity\"} 1.0");
        }
    }
}
