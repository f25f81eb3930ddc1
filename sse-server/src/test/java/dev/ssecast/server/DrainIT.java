package dev.ssecast.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The graceful drain, started in-process (the process test sends the real SIGTERM). */
@Timeout(60)
class DrainIT {

    @Test
    void drainFlipsReadinessTurnsNewcomersAwayAndEndsEveryStreamWithAJitteredRetry() throws Exception {
        TestServer server = TestServer.start("--drain", "1s", "--retry", "1000ms");
        try {
            List<EventStream> streams = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                EventStream stream = server.stream("/events?topic=drain");
                stream.awaitRetry();
                streams.add(stream);
            }
            server.publish("drain", "before the drain");
            for (EventStream stream : streams) {
                assertThat(stream.awaitEvent().data()).isEqualTo("before the drain");
            }

            server.server.drain();

            assertThat(server.get("/readyz").statusCode()).isEqualTo(503);
            assertThat(server.get("/healthz").statusCode()).isEqualTo(200);
            try (EventStream newcomer = server.streamAlone("/events?topic=drain")) {
                assertThat(newcomer.response().statusCode()).isEqualTo(200);
                assertThat(newcomer.awaitRetry()).isBetween(Duration.ofMillis(1000), Duration.ofMillis(2000));
                newcomer.awaitEnd();
            }
            HttpResponse<String> publish = server.post("/events?topic=drain", "during the drain");
            assertThat(publish.statusCode()).isEqualTo(503);
            assertThat(publish.headers().firstValue("retry-after")).hasValue("1");

            for (EventStream stream : streams) {
                assertThat(stream.awaitRetry()).isBetween(Duration.ofMillis(1000), Duration.ofMillis(2000));
                stream.awaitEnd();
                stream.close();
            }
            server.server.terminated().get();
            assertThatThrownBy(() -> server.get("/healthz")).isInstanceOf(IOException.class);
        } finally {
            server.close();
        }
    }
}
