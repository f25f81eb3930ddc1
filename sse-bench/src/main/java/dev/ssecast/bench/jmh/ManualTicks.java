package dev.ssecast.bench.jmh;

import dev.ssecast.core.SseBroadcaster;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * A broadcaster whose ticks the benchmark thread runs, standing in for the tick thread: built with the public
 * builder's settings, never started, and ticked with {@code SseBroadcaster#tickNow()}, a tick on the caller's
 * thread that sse-core keeps package-private for its tests. Reached by reflection until sse-core opens a hook, so
 * the benchmark drives exactly the code a server runs. Single thread: tick from one thread only.
 */
final class ManualTicks implements AutoCloseable {
    private final SseBroadcaster broadcaster;
    private final MethodHandle tickNow;

    ManualTicks(SseBroadcaster.Builder builder) {
        try {
            var build = SseBroadcaster.Builder.class.getDeclaredMethod("buildWithoutTicking");
            build.setAccessible(true);
            this.broadcaster = (SseBroadcaster) build.invoke(builder);
            var tick = SseBroadcaster.class.getDeclaredMethod("tickNow");
            tick.setAccessible(true);
            this.tickNow = MethodHandles.lookup().unreflect(tick).asType(MethodType.methodType(void.class,
                    SseBroadcaster.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("sse-core no longer has SseBroadcaster.Builder#buildWithoutTicking() and "
                    + "SseBroadcaster#tickNow(); the benchmarks need a way to tick on the caller's thread", e);
        }
    }

    /** The broadcaster; publish to it, and build {@code SseHandler}s on it. */
    SseBroadcaster broadcaster() {
        return broadcaster;
    }

    /** Runs one tick on this thread: admissions, the publish queue, frames, and the hand-off to the loops. */
    void tick() {
        try {
            tickNow.invokeExact(broadcaster);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Delivers what was accepted and closes every stream. */
    @Override
    public void close() {
        broadcaster.close();
    }
}
