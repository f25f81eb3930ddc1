package dev.ssecast.bench.jmh;

import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import io.netty.buffer.ByteBufAllocator;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The set-up of {@link SinkFanOutBenchmark}'s {@code ssecast} contender for tools outside JMH (such as
 * {@code ssecast-bench tick-latency}): a broadcaster ticked by hand ({@link ManualTicks}) whose frames come from
 * the named allocator, over {@code streams} {@link SinkStreams} upgraded through {@code HttpServerCodec} +
 * {@code SseHandler} on {@code threads} event loops, every one subscribed to {@link BenchFrames#TOPIC}.
 *
 * <p>Single thread: build, publish, tick, wait and close from one thread, which stands in for the tick thread (the
 * frames are allocated on it).
 */
public final class SinkTicks implements AutoCloseable {
    private final ByteBufAllocator allocator;
    private final TrackedFrames tracked;
    private final ManualTicks ticks;
    private final SinkStreams sinks;
    private final LoopBarrier barrier;
    private final SseEvent event = BenchFrames.event();
    private final int frameLength;

    private SinkTicks(ByteBufAllocator allocator, TrackedFrames tracked, int frameLength, ManualTicks ticks,
                      SinkStreams sinks) {
        this.allocator = allocator;
        this.tracked = tracked;
        this.frameLength = frameLength;
        this.ticks = ticks;
        this.sinks = sinks;
        this.barrier = new LoopBarrier(sinks.loops());
    }

    /**
     * Builds and admits the streams; each loop's set-up waits at most {@code timeoutSeconds}.
     *
     * @param allocator {@code pooled} (the broadcaster's default, so the server's), {@code adaptive} (Netty 4.2's
     *                  default) or {@code unpooled}
     */
    public static SinkTicks open(int streams, int threads, String allocator, long timeoutSeconds)
            throws InterruptedException, TimeoutException {
        ByteBufAllocator alloc = BenchFrames.allocator(allocator);
        int frameLength = BenchFrames.chunkFrame().length;
        TrackedFrames tracked = new TrackedFrames(alloc, frameLength);
        ManualTicks ticks = new ManualTicks(SseBroadcaster.builder().heartbeat(Duration.ofHours(1))
                .firstId(BenchFrames.FIRST_ID).allocator(tracked));
        try {
            return new SinkTicks(alloc, tracked, frameLength, ticks,
                    SinkStreams.subscribed(streams, threads, ticks, timeoutSeconds, SinkChannel.Gather.EPOLL));
        } catch (InterruptedException | TimeoutException | RuntimeException e) {
            ticks.close();
            throw e;
        }
    }

    /**
     * The allocator the broadcaster's frames come from. The broadcaster is given it through {@link TrackedFrames},
     * which only counts: two calls a tick (the event, the frame) pass through one more method.
     */
    public ByteBufAllocator allocator() {
        return allocator;
    }

    /** Publishes the benchmark's event to every stream's topic; the next {@link #tick()} delivers it. */
    public void publish() {
        if (!ticks.broadcaster().publish(BenchFrames.TOPIC, event).isAccepted()) {
            throw new IllegalStateException("the publish queue refused an event; tick between publishes");
        }
    }

    /** One tick on this thread: the frame is built here and handed to the loops, which write it after. */
    public void tick() {
        ticks.tick();
    }

    /** Waits until every loop has run all it was handed so far: the tick's writes and flushes. */
    public void awaitLoops(long timeout, TimeUnit unit) throws TimeoutException {
        barrier.await(timeout, unit);
    }

    /** Bytes the streams' sinks accepted so far; call after {@link #awaitLoops}. */
    public long sinkBytes() {
        return sinks.bytes();
    }

    /** Frames so far that Netty's leak detector tracks; a tick whose frame is tracked raises it by one. */
    public long trackedFrames() {
        return tracked.count();
    }

    /** The bytes one stream is written per tick of one event. */
    public int frameLength() {
        return frameLength;
    }

    /** Streams the broadcaster has open. */
    public int openStreams() {
        return ticks.broadcaster().openStreams();
    }

    /** Closes the broadcaster (ending every stream), then the channels and their event loops. */
    @Override
    public void close() {
        ticks.close();
        sinks.close();
    }
}
