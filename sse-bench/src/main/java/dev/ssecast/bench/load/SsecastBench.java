package dev.ssecast.bench.load;

import dev.ssecast.bench.jmh.JmhTable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ssecast-bench}: real-socket load and capacity runs against an SSE server, and their reports. Run it with
 * {@code sse-bench/bin/ssecast-bench} or {@code java -cp sse-bench/target/benchmarks.jar
 * dev.ssecast.bench.load.SsecastBench}.
 */
@Command(name = "ssecast-bench", mixinStandardHelpOptions = true, version = "ssecast-bench 0.1.0",
        description = "Load and capacity runs against an SSE server over real sockets, with JSON and HTML reports.",
        subcommands = {LoadCommand.class, CapacityCommand.class, ReportCommand.class, IdleTableCommand.class,
            JmhTable.class, WorkerCommand.class, ResumeCostCommand.class, TickLatencyCommand.class})
public final class SsecastBench {
    private SsecastBench() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SsecastBench()).execute(args));
    }
}
