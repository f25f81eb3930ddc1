package dev.ssecast.bench.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load generator's accounting against servers under test whose truth is known: a server that skips, reorders
 * and refuses on purpose, and counts what it did; the same run split over two processes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadAccountingTest {

    static TargetOptions options(URI stream, URI publish, int processes) {
        TargetOptions options = new TargetOptions();
        options.url = stream;
        options.publishUrl = publish;
        options.sources = "127.0.0.1-127.0.0.3";
        options.processes = processes;
        options.threads = 1;
        options.ramp = 1000;
        options.publishers = 1;
        options.payload = 100;
        options.drainMillis = 2000;
        options.settleMillis = 0;
        options.label = "under test";
        options.quiet = false; // printed into the test's buffer: the per-second path runs too
        return options;
    }

    @Test
    void countsExactlyTheLossesAndReordersTheServerCommitted() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (MisbehavingSseServer server = new MisbehavingSseServer();
             Coordinator run = new Coordinator(options(server.streamUrl(), server.publishUrl(), 1), 3,
                     new PrintStream(printed, true, StandardCharsets.UTF_8))) {
            run.open(3);
            Results.Step step = run.step(200, 1, new Results.Slo(1000, 0.99));
            Accounting accounting = run.finish();

            assertThat(step.published()).isGreaterThan(100);
            assertThat(step.refused()).as("every 25th publish was refused").isEqualTo(step.published() / 25);
            assertThat(accounting.connections()).isEqualTo(3);
            assertThat(server.lost()).isPositive();
            assertThat(accounting.lost()).isEqualTo(server.lost());
            assertThat(server.swapped()).isPositive();
            assertThat(accounting.outOfOrder()).isEqualTo(server.swapped());
            assertThat(accounting.received()).isEqualTo(3 * step.accepted() - server.lost());
            assertThat(step.delivered()).isEqualTo(accounting.received());
            assertThat(step.latency().count()).as("one latency per delivery").isEqualTo(step.delivered());
            assertThat(step.held()).as("losses break the 99%% SLO").isFalse();
        }
    }

    @Test
    void mergesConnectionsAndHistogramsAcrossProcesses() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (MisbehavingSseServer server = new MisbehavingSseServer();
             Coordinator run = new Coordinator(options(server.streamUrl(), server.publishUrl(), 2), 4,
                     new PrintStream(printed, true, StandardCharsets.UTF_8))) {
            assertThat(run.processes()).isEqualTo(2);
            run.open(4);
            Results.Step step = run.step(100, 1, new Results.Slo(1000, 0.5));
            Accounting accounting = run.finish();

            assertThat(accounting.connections()).as("connections of both processes").isEqualTo(4);
            assertThat(accounting.lost()).isEqualTo(server.lost());
            assertThat(accounting.outOfOrder()).isEqualTo(server.swapped());
            assertThat(step.delivered()).isEqualTo(4 * step.accepted() - server.lost());
            assertThat(step.latency().count()).as("histograms of both processes merged").isEqualTo(step.delivered());
        }
    }
}
