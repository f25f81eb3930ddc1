package dev.ssecast.bench.load;

import io.netty.util.ResourceLeakDetector;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tiny run of {@code tick-latency}: a histogram per allocator and level with exactly the measured ticks, every
 * tick delivered to every stream, the level in force really reaching each allocator's new buffers (the probe) and
 * the broadcaster's frames (the tracked ticks: none when disabled, all when paranoid), and the test JVM's own level
 * restored. A {@code paranoid} block tracks every buffer of the measured path, so a leak there fails
 * the class through sse-core's LeakFailingExtension. Says nothing about speed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TickLatencyCommandTest {
    private static final int TICKS = 50;

    @Test
    void measuresEveryLevelOfEveryAllocatorAndRestoresTheLevel(@TempDir Path dir) throws Exception {
        ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
        Path json = dir.resolve("tick-latency.json");
        int exit = new CommandLine(new TickLatencyCommand()).execute("--streams", "200", "--ticks",
                String.valueOf(TICKS), "--warmup", "10", "--block", "10", "--levels", "disabled,simple,paranoid",
                "--allocators", "pooled,adaptive", "--out", json.toString());

        assertThat(exit).isZero();
        assertThat(ResourceLeakDetector.getLevel()).as("the level before the run").isEqualTo(before);
        TickLatencyCommand.Run run = Reports.GSON.fromJson(Files.readString(json), TickLatencyCommand.Run.class);
        assertThat(run.command()).startsWith("ssecast-bench tick-latency --streams 200 --ticks 50");
        assertThat(run.streams()).isEqualTo(200);
        assertThat(run.frameBytes()).isPositive();
        assertThat(run.results()).extracting(r -> r.allocator() + "/" + r.level()).containsExactly(
                "pooled/disabled", "pooled/simple", "pooled/paranoid",
                "adaptive/disabled", "adaptive/simple", "adaptive/paranoid");
        for (TickLatencyCommand.LevelResult r : run.results()) {
            String which = r.allocator() + "/" + r.level();
            assertThat(r.ticks()).as(which).isEqualTo(TICKS);
            assertThat(decode(r.histogram()).getTotalCount()).as(which).isEqualTo(TICKS);
            assertThat(r.shortTicks()).as("%s: ticks that did not reach every stream", which).isZero();
            assertThat(r.maxMicros()).as(which).isGreaterThanOrEqualTo(r.p999Micros())
                    .isGreaterThanOrEqualTo(r.p50Micros()).isPositive();
            int all = TickLatencyCommand.PROBE_ALLOCATIONS;
            switch (r.level()) {
                case "disabled":
                    assertThat(r.probeTracked()).as(which).isZero();
                    assertThat(r.trackedTicks()).as(which).isZero();
                    break;
                case "paranoid":
                    assertThat(r.probeTracked()).as(which).isEqualTo(all);
                    assertThat(r.trackedTicks()).as("%s: every frame tracked", which).isEqualTo(TICKS);
                    break;
                default: // about 1 in 128: none of 4096 has a chance of e^-32
                    assertThat(r.probeTracked()).as(which).isBetween(1, all - 1);
            }
        }
        assertThat(run.ratios()).extracting(r -> r.allocator() + "/" + r.level() + "÷" + r.baseline())
                .containsExactly("pooled/simple÷disabled", "pooled/paranoid÷disabled",
                        "adaptive/simple÷disabled", "adaptive/paranoid÷disabled");
    }

    @Test
    void anUnknownLevelIsAUsageError() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new TickLatencyCommand()).setErr(new PrintWriter(err));
        assertThat(cli.execute("--levels", "disabled,loud", "--streams", "1")).isEqualTo(2);
        assertThat(err.toString()).contains("--levels must be of disabled, simple, advanced, paranoid, was loud");
    }

    private static Histogram decode(String base64) throws Exception {
        return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 1);
    }
}
