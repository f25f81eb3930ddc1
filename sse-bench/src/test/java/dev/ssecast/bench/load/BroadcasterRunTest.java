package dev.ssecast.bench.load;

import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.testing.TestSseServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real run against ssecast itself ({@link TestSseServer} over a real broadcaster): nothing lost, nothing out of
 * order, one latency per delivery, and reports that a person can open.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BroadcasterRunTest {

    @Test
    void aFaithfulServerLosesNothingAndTheReportsSaySo(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (SseBroadcaster broadcaster = SseBroadcaster.builder().tick(Duration.ofMillis(5)).build();
             TestSseServer server = TestSseServer.builder(broadcaster).start();
             PublishEndpoint publish = new PublishEndpoint(broadcaster)) {
            TargetOptions options = LoadAccountingTest.options(
                    URI.create("http://127.0.0.1:" + server.port() + TestSseServer.PATH + "?topic=bench"),
                    publish.url("bench"), 1);
            options.serverPid = List.of(ProcessHandle.current().pid());
            options.json = dir.resolve("run.json");
            options.html = dir.resolve("run.html");
            PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
            try (Coordinator run = new Coordinator(options, 20, out)) {
                run.open(20);
                Results.Step step = run.step(100, 1, new Results.Slo(1000, 0.99));
                Accounting accounting = run.finish();

                assertThat(step.accepted()).isEqualTo(step.published()).isGreaterThan(50);
                assertThat(step.delivered()).isEqualTo(20 * step.accepted());
                assertThat(accounting.lost()).isZero();
                assertThat(accounting.outOfOrder()).isZero();
                assertThat(step.latency().count()).isEqualTo(step.delivered());
                assertThat(step.held()).isTrue();
                assertThat(run.memory()).singleElement().satisfies(m -> assertThat(m.connections()).isEqualTo(20));

                Reports.write(options, Reports.run(options, "load", 1, new Results.Slo(1000, 0.99), List.of(step),
                        run.memory(), run.seconds(), accounting, step));
            }
        }
        Results.Run read = Reports.read(dir.resolve("run.json"));
        assertThat(read.steps()).hasSize(1);
        assertThat(read.accounting().lost()).isZero();
        String html = Files.readString(dir.resolve("run.html"));
        assertThat(html).contains("<svg", "Deliveries per second against rate", "Memory per idle connection");
    }
}
