package dev.ssecast.bench.load;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A small run of {@code resume-cost} on each transport: every client is served, and the JSON says what ran. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResumeCostCommandTest {

    @ParameterizedTest
    @ValueSource(strings = {"local", "tcp"})
    void servesEveryResumingClientAndWritesTheRun(String transport, @TempDir Path dir) throws Exception {
        Path json = dir.resolve("run.json");
        int exit = new CommandLine(new ResumeCostCommand()).execute("--transport", transport,
                "--events", "5", "--event-bytes", "2048", "--clients", "3", "--timeout", "30",
                "--json", json.toString());

        assertThat(exit).isZero();
        ResumeCostCommand.Run run = Reports.GSON.fromJson(Files.readString(json), ResumeCostCommand.Run.class);
        assertThat(run.transport()).isEqualTo(transport);
        assertThat(run.clients()).isEqualTo(3);
        assertThat(run.openStreams()).isEqualTo(3);
        assertThat(run.deliveries()).isEqualTo(15); // 5 events to each of 3 clients: the whole replay
        assertThat(run.replayedBytes()).isGreaterThan(5 * 2048);
        assertThat(run.before().heapBytes()).isPositive();
        assertThat(run.command()).startsWith("ssecast-bench resume-cost");
    }
}
