package dev.ssecast.bench.jmh;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmarks' set-up, operation and tear-down on a small scale, so that a benchmark that stopped delivering,
 * or leaked a buffer, fails the build rather than reporting a fast number. Says nothing about speed.
 */
class BenchmarkHarnessTest {

    @ParameterizedTest
    @ValueSource(strings = {"ssecast", "channelGroup", "naive"})
    void everyContenderDeliversEachTickToEveryChannel(String strategy) throws Exception {
        FanOutBenchmark bench = new FanOutBenchmark();
        bench.connections = 300;
        bench.strategy = strategy;
        bench.allocator = "pooled";
        bench.threads = 2;
        bench.setUp();
        try {
            FanOutBenchmark.Deliveries deliveries = new FanOutBenchmark.Deliveries();
            FanOutBenchmark.Drops drops = new FanOutBenchmark.Drops();
            for (int tick = 0; tick < 5; tick++) {
                bench.fanOut(deliveries, drops);
            }
            assertThat(deliveries.deliveries).isEqualTo(5 * 300);
            assertThat(drops.drops).isZero();
        } finally {
            bench.tearDown();
        }
    }

    @Test
    void adaptiveFramesAreDeliveredToo() throws Exception {
        FanOutBenchmark bench = new FanOutBenchmark();
        bench.connections = 64;
        bench.strategy = "ssecast";
        bench.allocator = "adaptive";
        bench.threads = 2;
        bench.setUp();
        try {
            FanOutBenchmark.Deliveries deliveries = new FanOutBenchmark.Deliveries();
            FanOutBenchmark.Drops drops = new FanOutBenchmark.Drops();
            bench.fanOut(deliveries, drops);
            assertThat(deliveries.deliveries).isEqualTo(64);
            assertThat(drops.drops).isZero();
        } finally {
            bench.tearDown();
        }
    }

    @Test
    void aTickReachesEveryAudience() {
        TickBenchmark bench = new TickBenchmark();
        bench.events = 10;
        bench.audiences = 10;
        bench.setUp();
        try {
            for (int i = 0; i < 3; i++) {
                bench.tick();
            }
        } finally {
            bench.tearDown();
        }
    }

    @Test
    void theEncoderBenchmarkWritesWholeEvents() {
        for (String shape : new String[] {"bench", "typed", "multiline", "utf8"}) {
            EncoderBenchmark bench = new EncoderBenchmark();
            bench.shape = shape;
            bench.setUp();
            try {
                assertThat(bench.encode().toString(java.nio.charset.StandardCharsets.UTF_8)).startsWith("id: ")
                        .endsWith("\n\n");
            } finally {
                bench.tearDown();
            }
        }
    }
}
