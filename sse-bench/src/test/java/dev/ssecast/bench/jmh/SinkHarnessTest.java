package dev.ssecast.bench.jmh;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SinkFanOutBenchmark}'s set-up, operations and tear-down on a small scale, over HTTP/1.1 and HTTP/2: every
 * contender must hand each stream's sink exactly one frame per operation (over h2 one DATA frame: header and
 * payload) and release what it built. Leaks also fail the class through
 * sse-core's LeakFailingExtension (paranoid detection). Says nothing about speed.
 */
class SinkHarnessTest {
    private static final int CONNECTIONS = 300;
    private static final int OPERATIONS = 5;
    /** Over h2: 3 connections on 2 loops. */
    private static final int STREAMS_PER_CONNECTION = 100;

    @ParameterizedTest
    @CsvSource({"ssecast,pooled,nio,http1", "channelGroup,pooled,nio,http1", "channelGroupVoid,pooled,nio,http1",
            "naive,pooled,nio,http1", "perLoopNaive,pooled,nio,http1", "floor,pooled,nio,http1",
            "ssecast,adaptive,nio,http1", "perLoopNaive,adaptive,nio,http1", "ssecast,pooled,epoll,http1",
            "naive,pooled,epoll,http1", "ssecast,adaptive,epoll,http1", "floor,adaptive,epoll,http1",
            "ssecast,pooled,epoll,h2", "ssecast,adaptive,epoll,h2", "ssecast,pooled,nio,h2", "naive,pooled,epoll,h2",
            "channelGroup,pooled,epoll,h2", "perLoopNaive,adaptive,epoll,h2", "floor,pooled,epoll,h2"})
    void everyContenderHandsEachSinkOneFramePerOperation(String strategy, String allocator, String gather,
                                                         String protocol) throws Exception {
        SinkFanOutBenchmark bench = bench(strategy, allocator, gather, protocol);
        try {
            long before = bench.sinkBytes();
            assertThat(before).as("the upgrade responses reached the sinks").isPositive();
            SinkFanOutBenchmark.Deliveries deliveries = new SinkFanOutBenchmark.Deliveries();
            SinkFanOutBenchmark.Shortfall shortfall = new SinkFanOutBenchmark.Shortfall();
            SinkFanOutBenchmark.LoopCpu cpu = new SinkFanOutBenchmark.LoopCpu();
            for (int op = 0; op < OPERATIONS; op++) {
                bench.fanOut(deliveries, shortfall, cpu);
                if (bench.lastFrame != null) {
                    assertThat(bench.lastFrame.refCnt()).as("frame released by the end of its operation").isZero();
                }
            }
            assertThat(deliveries.deliveries).isEqualTo(OPERATIONS * CONNECTIONS);
            assertThat(cpu.loopCpuNanos).as("the loops' CPU time, read with loopCpu=on").isPositive();
            assertThat(cpu.loopCpuDeliveries).isEqualTo(OPERATIONS * CONNECTIONS);
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

    @Test
    void h2WindowsAreToppedUpBackToTheLargestWindow() throws Exception {
        SinkFanOutBenchmark bench = bench("ssecast", "pooled", "epoll", "h2");
        try {
            SinkFanOutBenchmark.Deliveries deliveries = new SinkFanOutBenchmark.Deliveries();
            SinkFanOutBenchmark.Shortfall shortfall = new SinkFanOutBenchmark.Shortfall();
            SinkFanOutBenchmark.LoopCpu cpu = new SinkFanOutBenchmark.LoopCpu();
            for (int op = 0; op < OPERATIONS; op++) {
                bench.fanOut(deliveries, shortfall, cpu);
            }
            H2Windows windows = bench.windows();
            assertThat(windows.topUps()).as("none due after a few operations").isZero();
            assertThat(windows.smallestWindow()).isLessThan(H2ClientFrames.MAX_WINDOW);
            windows.topUp(); // queued before the next operation's work on every loop
            bench.fanOut(deliveries, shortfall, cpu);
            assertThat(windows.smallestWindow()).as("one operation's worth below the largest window")
                    .isEqualTo(H2ClientFrames.MAX_WINDOW - (bench.frameLength() - BenchFrames.DATA_FRAME_HEADER)
                            * STREAMS_PER_CONNECTION);
            assertThat(shortfall.shortBytes).isZero();
        } finally {
            bench.tearDown();
        }
    }

    @Test
    void theUniformDistributorDeliversEveryByteToo() throws Exception {
        SinkFanOutBenchmark bench = bench("ssecast", "pooled", "epoll", "h2", 1 << 20, "uniform");
        try {
            SinkFanOutBenchmark.Deliveries deliveries = new SinkFanOutBenchmark.Deliveries();
            SinkFanOutBenchmark.Shortfall shortfall = new SinkFanOutBenchmark.Shortfall();
            SinkFanOutBenchmark.LoopCpu cpu = new SinkFanOutBenchmark.LoopCpu();
            for (int op = 0; op < OPERATIONS; op++) {
                bench.fanOut(deliveries, shortfall, cpu);
            }
            assertThat(deliveries.deliveries).isEqualTo((long) OPERATIONS * CONNECTIONS);
            assertThat(shortfall.shortBytes).isZero();
        } finally {
            bench.tearDown();
        }
    }

    private static SinkFanOutBenchmark bench(String strategy, String allocator, String gather, String protocol)
            throws Exception {
        return bench(strategy, allocator, gather, protocol, 65536, "weighted");
    }

    private static SinkFanOutBenchmark bench(String strategy, String allocator, String gather, String protocol,
                                             int h2HighWaterMark, String h2Distributor) throws Exception {
        SinkFanOutBenchmark bench = new SinkFanOutBenchmark();
        bench.connections = CONNECTIONS;
        bench.strategy = strategy;
        bench.leakDetection = "paranoid";
        bench.allocator = allocator;
        bench.gather = gather;
        bench.protocol = protocol;
        bench.streamsPerConnection = STREAMS_PER_CONNECTION;
        bench.h2ConnectionHighWaterMark = h2HighWaterMark;
        bench.h2Distributor = h2Distributor;
        bench.loopCpu = "on";
        bench.threads = 2;
        bench.setUp();
        return bench;
    }
}
