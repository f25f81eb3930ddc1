package dev.ssecast.bench.load;

import org.HdrHistogram.Histogram;

import java.util.List;

/** The records a run writes to its JSON report. Values only. */
final class Results {
    private Results() {
    }

    /** Publish-to-receive latency percentiles in milliseconds, over {@code count} events. */
    record Latency(long count, double p50, double p90, double p99, double p999, double max) {
        static Latency of(Histogram h) {
            return new Latency(h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                    ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()));
        }

        private static double ms(long micros) {
            return micros / 1000.0;
        }
    }

    /** One second of a step, as printed. */
    record Second(double t, int connections, double rate, int open, int failed, double deliveriesPerSecond,
                  double bytesPerSecond, Latency latency, long outOfOrder, long lostSoFar, double serverCpuPercent,
                  long serverRssBytes) {
    }

    /**
     * One step: {@code connections} subscribers while publishing at {@code rate} for {@code seconds}; expected is
     * accepted events times open connections, delivered counts the step's events received by the end of the drain.
     * Deliveries per second are the step's deliveries over its publishing seconds (those of its last events arrive
     * during the drain). CPU percentages are of one core (200% is both cores here).
     */
    record Step(int connections, double rate, double seconds, long published, long accepted, long refused,
                long expected, long delivered, double deliveredRatio, double deliveriesPerSecond,
                double bytesPerSecond, Latency latency, double serverCpuPercent,
                double serverCpuMicrosPerDelivery, long serverRssBytes, double loadCpuPercent, boolean held,
                String verdict) {
    }

    /**
     * Memory with {@code connections} idle streams open against none: the server's RSS, its Java heap in use after
     * a full GC (-1 unless measured), and the kernel's TCP buffer ({@code sockstat}) and slab memory, each per
     * connection. The kernel figures cover both ends of each loopback connection.
     */
    record Memory(int connections, long idleRssBytes, long openRssBytes, double rssPerConnection,
                  long idleTcpBytes, long openTcpBytes, double tcpPerConnection, long idleSlabBytes,
                  long openSlabBytes, double slabPerConnection, long idleHeapBytes, long openHeapBytes,
                  double heapPerConnection) {
    }

    /** The SLO a step must meet to hold. */
    record Slo(double p99Millis, double minDeliveredRatio) {
    }

    /** A whole run: what was run where, each step, each second, memory, and the final accounting. */
    record Run(String label, String date, String machine, String jdk, String command, String url,
               String publishUrl, int processes, Slo slo, List<Step> steps, List<Memory> memory,
               List<Second> seconds, Accounting accounting, Step capacity) {
    }
}
