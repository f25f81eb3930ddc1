package dev.ssecast.bench.jmh;

/**
 * Bytes accepted by the {@link SinkChannel}s of one event loop. Single writer: that loop; read from another thread
 * only after a {@link LoopBarrier} has passed.
 */
final class SinkCount {
    /** How the sinks of this loop gather a flush's bytes; set before any channel exists. */
    final SinkChannel.Gather gather;
    long bytes;
    /** A sum of the addresses the {@code epoll} gather read, so that the JIT keeps the reads. */
    long addresses;

    SinkCount(SinkChannel.Gather gather) {
        this.gather = gather;
    }
}
