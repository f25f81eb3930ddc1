package dev.ssecast.bench.load;

import dev.ssecast.core.SseBroadcaster;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load tool's HTTP/2 mode against ssecast's SseHandler on HTTP/2 streams: 100 subscribers as 2 connections of
 * 50 streams, plain (prior knowledge) and over TLS (ALPN h2); every stream gets every accepted event, in order,
 * each with one latency, counted by the same parser as HTTP/1.1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class H2LoadRunTest {

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void everyStreamOfEveryConnectionGetsEveryEvent(boolean tls) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (SseBroadcaster broadcaster = SseBroadcaster.builder().tick(Duration.ofMillis(5)).build();
             H2SseServer server = new H2SseServer(broadcaster, tls);
             PublishEndpoint publish = new PublishEndpoint(broadcaster)) {
            TargetOptions options = LoadAccountingTest.options(server.streamUrl("bench"), publish.url("bench"), 0);
            options.protocol = "h2";
            options.streamsPerConnection = 50;
            options.threads = 2;
            try (Coordinator run = new Coordinator(options, 100, new PrintStream(printed, true,
                    StandardCharsets.UTF_8))) {
                assertThat(run.processes()).as("2 sockets need one process").isEqualTo(1);
                run.open(100);
                Results.Step step = run.step(100, 1, new Results.Slo(1000, 0.99));
                Accounting accounting = run.finish();

                assertThat(server.acceptedConnections()).as("HTTP/2 connections").isEqualTo(2);
                assertThat(accounting.connections()).as("streams that received events").isEqualTo(100);
                assertThat(step.accepted()).isEqualTo(step.published()).isGreaterThan(50);
                assertThat(step.delivered()).isEqualTo(100 * step.accepted());
                assertThat(accounting.received()).isEqualTo(step.delivered());
                assertThat(accounting.lost()).isZero();
                assertThat(accounting.outOfOrder()).isZero();
                assertThat(step.latency().count()).as("one latency per delivery").isEqualTo(step.delivered());
                assertThat(step.held()).isTrue();
            }
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("opened 100 of 100 HTTP/2 streams (0 failed)"
                + " on 2 connections");
    }
}
