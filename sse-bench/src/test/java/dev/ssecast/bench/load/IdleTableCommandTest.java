package dev.ssecast.bench.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The idle table from a directory as compare.sh leaves it: idle runs' JSON and syscalls.sh samples, by label. */
class IdleTableCommandTest {
    private static Results.Run idleRun(String label, double cpuMicros, double rssPerConnection) {
        Results.Latency latency = new Results.Latency(40_000, 12.5, 20, 48.25, 50, 51);
        Results.Step step = new Results.Step(2000, 1, 23, 20, 20, 0, 40_000, 40_000, 1, 2000, 300_000, latency,
                5, cpuMicros, 50 << 20, 10, true, "held");
        Results.Memory memory = new Results.Memory(2000, 10 << 20, (10 << 20) + 2000 * (long) rssPerConnection,
                rssPerConnection, 0, 8192, 4.096, 0, 2000 * 10240L, 10240, -1, -1, -1);
        return new Results.Run(label, "2026-12-02T00:00:00Z", "test", "jdk", "load", "u", "p", 1,
                new Results.Slo(1000, 0.95), List.of(step), List.of(memory), List.of(),
                new Accounting(2000, 40_000, 0, 0), step);
    }

    @Test
    void dividesEachSampleByItsWindowsDeliveriesBesideTheIdleRunOfTheSameLabel(@TempDir Path dir)
            throws Exception {
        Files.writeString(dir.resolve("cfanout-idle.json"), Reports.GSON.toJson(idleRun("cfanout", 8.2, 92)));
        Files.writeString(dir.resolve("ssecast-idle.json"), Reports.GSON.toJson(idleRun("ssecast", 11.5, 4505.6)));
        // 2,000 connections x 10 events = 20,000 deliveries in 10 s; one sendto each, 150 bytes each
        Files.writeString(dir.resolve("ssecast-syscalls.properties"), String.join("\n",
                "label=ssecast", "connections=2000", "events=10", "seconds=10", "tracer=perf",
                "cpu.ticks_per_second=100", "cpu.user_ticks=6", "cpu.system_ticks=16", "tcp.bytes_sent=3000000",
                "gc.pauses=2", "gc.seconds=0.0125", "ctx.voluntary=1500", "ctx.nonvoluntary=30",
                "thread.ssecast-tick.voluntary=1000", "thread.ssecast-tick.nonvoluntary=3",
                "thread.ssecast-tick.cpu_ticks=2", "thread.ssecast-io-1-1.voluntary=20",
                "thread.ssecast-io-1-1.nonvoluntary=1", "thread.ssecast-io-1-1.cpu_ticks=10",
                "sys.write=4", "sys.sendto=20000", "sys.epoll_pwait2=30", "sys.futex=3300", "sys.total=24000",
                "uring.sends=0", "lost=0", ""));
        Files.writeString(dir.resolve("ignored.txt"), "not a result");

        String table = IdleTableCommand.table(List.of(dir));

        assertThat(table).contains("| cfanout | 2,000 | 8.20 | 0.09 | 0.00 | 10.00 | 12.5 | 48.3 | 0 "
                + "| – | – | – | – |");
        assertThat(table).contains("| ssecast | 2,000 | 11.50 | 4.40 | 0.00 | 10.00 | 12.5 | 48.3 | 0 "
                + "| 1.000 | 150 | 2 (12.5) | 3.0 |");
        assertThat(table).contains("| ssecast | 20,000 | perf | 3.00 | 8.00 | 1.200 | 0.000 | 0.000 | 1.000 "
                + "| 0.000 | 0.000 | 150.0 | 3.0 | 0.0 | 330.0 | 150.0 | 3.0 |");
        assertThat(table).contains("- ssecast, CPU µs/delivery by thread: ssecast-io-1-1 5.00, ssecast-tick 1.00; "
                + "voluntary context switches/s by thread: ssecast-tick 100.0, ssecast-io-1-1 2.0\n");
        assertThat(table).doesNotContain("ignored");
    }

    @Test
    void saysSoWhenTheWindowLostEventsAndTheDivisorIsTooHigh(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("cfanout-syscalls.properties"),
                "label=cfanout\nconnections=100\nevents=10\nseconds=10\ncpu.ticks_per_second=100\nsys.write=900\n"
                        + "tcp.bytes_sent=90000\nlost=100\n");

        String table = IdleTableCommand.table(List.of(dir));

        assertThat(table).contains("| cfanout | 100 | – | – | – | – | – | – | – | 0.900 | 100 | – "
                + "| 0.0 |");
        assertThat(table).contains("| cfanout | 1,000 (100 lost: figures too low) | ? |");
    }
}
