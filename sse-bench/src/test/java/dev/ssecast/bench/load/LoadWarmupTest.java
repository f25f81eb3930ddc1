package dev.ssecast.bench.load;

import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.testing.TestSseServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code load --warmup}: events are published and delivered before the measured step, and none of them is in it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadWarmupTest {

    @Test
    void theWarmUpsDeliveriesAreOutsideTheMeasuredStep(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("run.json");
        try (SseBroadcaster broadcaster = SseBroadcaster.builder().tick(Duration.ofMillis(5)).build();
             TestSseServer server = TestSseServer.builder(broadcaster).start();
             PublishEndpoint publish = new PublishEndpoint(broadcaster)) {
            int exit = new CommandLine(new LoadCommand()).execute(
                    "--url", "http://127.0.0.1:" + server.port() + TestSseServer.PATH + "?topic=bench",
                    "--publish-url", publish.url("bench").toString(), "--sources", "127.0.0.1-127.0.0.3",
                    "--connections", "20", "--rate", "50", "--warmup", "1", "--duration", "1", "--settle", "0",
                    "--quiet", "--json", json.toString());
            assertThat(exit).isZero();
        }
        Results.Run run = Reports.read(json);
        assertThat(run.steps()).as("the warm-up is no step of the run").hasSize(1);
        Results.Step step = run.steps().get(0);
        assertThat(step.delivered()).isEqualTo(20 * step.accepted());
        assertThat(step.latency().count()).isEqualTo(step.delivered());
        assertThat(run.accounting().received() - step.delivered())
                .as("the warm-up delivered at least one event to each connection")
                .isGreaterThanOrEqualTo(20);
        assertThat(run.accounting().lost()).isZero();
    }
}
