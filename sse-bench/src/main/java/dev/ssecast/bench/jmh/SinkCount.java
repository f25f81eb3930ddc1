package dev.ssecast.bench.jmh;

/**
 * Bytes accepted by the {@link SinkChannel}s of one event loop. Single writer: that loop; read from another thread
 * only after a {@link LoopBarrier} has passed.
 */
final class SinkCount {
    long bytes;
}
