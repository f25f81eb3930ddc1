package dev.ssecast.bench.jmh;

import dev.ssecast.core.SseBroadcaster;

/**
 * A broadcaster whose ticks the benchmark thread runs, standing in for the tick thread: built with the public
 * builder's settings, never started ({@code buildWithoutTicking()}), and ticked with {@code tickNow()}, so the
 * benchmark drives exactly the code a server runs. Single thread: tick from one thread only.
 */
final class ManualTicks implements AutoCloseable {
    private final SseBroadcaster broadcaster;

    ManualTicks(SseBroadcaster.Builder builder) {
        this.broadcaster = builder.buildWithoutTicking();
    }

    /** The broadcaster; publish to it, and build {@code SseHandler}s on it. */
    SseBroadcaster broadcaster() {
        return broadcaster;
    }

    /** Runs one tick on this thread: the publish queue, frames, the hand-off to the loops, then admissions. */
    void tick() {
        broadcaster.tickNow();
    }

    /** Delivers what was accepted and closes every stream. */
    @Override
    public void close() {
        broadcaster.close();
    }
}
