package dev.ssecast.bench.jmh;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SinkFanOutBenchmark}'s set-up, operations and tear-down on a small scale: every contender must hand each
 * stream's sink exactly one frame per operation and release what it built. Leaks also fail the class through
 * sse-core's LeakFailingExtension (paranoid detection). Says nothing about speed.
 */
class SinkHarnessTest {
    private static final int CONNECTIONS = 300;
    private static final int OPERATIONS = 5;

    @ParameterizedTest
    @CsvSource({"ssecast,pooled,nio", "channelGroup,pooled,nio", "channelGroupVoid,pooled,nio", "naive,pooled,nio",
            "perLoopNaive,pooled,nio", "floor,pooled,nio", "ssecast,adaptive,nio", "perLoopNaive,adaptive,nio",
            "ssecast,pooled,epoll", "naive,pooled,epoll", "ssecast,adaptive,epoll", "floor,adaptive,epoll"})
    void everyContenderHandsEachSinkOneFramePerOperation(String strategy, String allocator, String gather)
            throws Exception {
        SinkFanOutBenchmark bench = new SinkFanOutBenchmark();
        bench.connections = CONNECTIONS;
        bench.strategy = strategy;
        bench.leakDetection = "paranoid";
        bench.allocator = allocator;
        bench.gather = gather;
        bench.threads = 2;
        bench.setUp();
        try {
            long before = bench.sinkBytes();
            assertThat(before).as("the upgrade responses reached the sinks").isPositive();
            SinkFanOutBenchmark.Deliveries deliveries = new SinkFanOutBenchmark.Deliveries();
            SinkFanOutBenchmark.Shortfall shortfall = new SinkFanOutBenchmark.Shortfall();
            for (int op = 0; op < OPERATIONS; op++) {
                bench.fanOut(deliveries, shortfall);
                if (bench.lastFrame != null) {
                    assertThat(bench.lastFrame.refCnt()).as("frame released by the end of its operation").isZero();
                }
            }
            assertThat(deliveries.deliveries).isEqualTo(OPERATIONS * CONNECTIONS);
            assertThat(shortfall.shortBytes).isZero();
            long expected = strategy.equals("floor") ? 0 : (long) OPERATIONS * CONNECTIONS * bench.frameLength();
            assertThat(deliveries.sinkBytes).isEqualTo(expected);
            assertThat(bench.sinkBytes() - before).isEqualTo(expected);
            if (strategy.equals("floor")) {
                assertThat(bench.writableVisits()).isEqualTo(OPERATIONS * CONNECTIONS);
            }
        } finally {
            bench.tearDown();
        }
    }
}
