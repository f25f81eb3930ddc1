package dev.ssecast.bench.load;

import org.HdrHistogram.Recorder;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One process's running totals, written by every connection's event loop: connections, deliveries, bytes, and the
 * publish-to-receive latency of every event of the current step, in microseconds. All members are thread-safe.
 */
final class Tally {
    /** Latencies above an hour are clamped to it. */
    static final long MAX_LATENCY_MICROS = 3_600_000_000L;

    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    final LongAdder deliveries = new LongAdder();
    final LongAdder stepDeliveries = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder outOfOrder = new LongAdder();
    /** Sum of the connections' running loss estimates ({@link StreamAccount#gaps()}). */
    final LongAdder gaps = new LongAdder();
    /** Publish-to-receive latency in microseconds, of the events of the current step. */
    final Recorder latency = new Recorder(1, MAX_LATENCY_MICROS, 3);

    /** Connections whose stream is open now. */
    int open() {
        return opened.get() - closed.get();
    }

    /** Records one event of the current step that was published at {@code sentNanos} ({@link System#nanoTime()}). */
    void recordLatency(long sentNanos, long nowNanos) {
        long micros = Math.max(1, (nowNanos - sentNanos) / 1000);
        latency.recordValue(Math.min(micros, MAX_LATENCY_MICROS));
    }
}
