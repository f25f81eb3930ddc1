package dev.ssecast.core.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tick thread's side of the per-loop registry: one {@link LoopPartition} per event loop that has streams, and
 * every hand-off to them (a tick's frames, a new stream, a drain, the close). Tick thread only; what runs on a
 * loop is the partition's.
 */
final class Partitions {
    private final HubStats stats;
    private final long maxQueuedBytes;
    private final long maxUnwritableNanos;
    private final TickFaults faults;
    private final Map<EventLoop, LoopPartition> byLoop = new IdentityHashMap<>();
    private final List<LoopPartition> all = new ArrayList<>();
    private final List<LoopPartition> receivers = new ArrayList<>();
    private final Runnable tickDone;

    /** How long a loop that writes no tick at all is waited for before the ticks go on without it. */
    static final long STUCK_NANOS = TimeUnit.SECONDS.toNanos(1);

    Partitions(HubStats stats, long maxQueuedBytes, long maxUnwritableNanos, TickFaults faults, Runnable tickDone) {
        this.stats = stats;
        this.tickDone = tickDone;
        this.maxQueuedBytes = maxQueuedBytes;
        this.maxUnwritableNanos = maxUnwritableNanos;
        this.faults = faults;
    }

    /**
     * Hands every loop that has streams one task; each holds one reference to every frame (see TickFrames), and
     * the tick's own reference is released here. A loop that cannot be handed its task is poisoned: its streams
     * missed this tick, so they are closed and resume. Returns the loops that failed.
     */
    int handOff(TickFrames frames, TickFailures failures) {
        // One pass decides the receivers: a loop may drop to zero streams meanwhile, and it must still get the
        // task whose references were retained for it (it then just releases them).
        receivers.clear();
        for (int p = 0; p < all.size(); p++) {
            if (all.get(p).streams.get() > 0) {
                receivers.add(all.get(p));
            }
        }
        int failed = 0;
        try {
            if (!receivers.isEmpty()) {
                frames.retainAll(receivers.size());
            }
            for (int p = 0; p < receivers.size(); p++) {
                LoopPartition partition = receivers.get(p);
                partition.ticksInFlight.incrementAndGet();
                try {
                    faults.at(TickFaults.Step.HAND_OFF);
                    partition.loop.execute(() -> partition.fanOut(frames));
                } catch (RuntimeException | Error notHandedOff) {
                    partition.ticksInFlight.decrementAndGet();
                    frames.releaseAll(); // the references retained for this loop
                    partition.poison();
                    failures.failed(TickFaults.Step.HAND_OFF, notHandedOff);
                    failed++;
                }
            }
        } finally {
            frames.releaseAll();
        }
        return failed;
    }

    /**
     * Whether a loop is still writing a tick handed to it before, and wrote one within the last
     * {@link #STUCK_NANOS}: the next tick is then put off, so that it carries more events in one write per stream
     * instead of queueing behind the last. A loop that wrote nothing for longer is stuck (blocked by a handler,
     * say) and is not waited for: the ticks go on, and its tasks queue as they would without the wait.
     */
    boolean lagging() {
        long now = System.nanoTime();
        for (int p = 0; p < all.size(); p++) {
            LoopPartition partition = all.get(p);
            if (partition.ticksInFlight.get() > 0 && now - partition.lastTickDoneNanos < STUCK_NANOS) {
                return true;
            }
        }
        return false;
    }

    /**
     * Lists a stream on its loop with {@code preamble} (taken: written there, or released), counting it as open
     * at once, so that a drain or the close sees it.
     */
    void register(Subscription subscription, Audience audience, ByteBuf preamble) {
        Channel channel = subscription.channel;
        EventLoop loop = channel.eventLoop();
        LoopPartition partition = byLoop.get(loop);
        if (partition == null) {
            partition = new LoopPartition(loop, stats, maxQueuedBytes, maxUnwritableNanos, tickDone);
            byLoop.put(loop, partition);
            all.add(partition);
        }
        audience.streams.incrementAndGet();
        partition.streams.incrementAndGet();
        stats.openStreams.incrementAndGet();
        StreamSlot slot = new StreamSlot(channel, audience, partition, subscription.untilMillis,
                subscription.retryMillis);
        slot.preambleBytes = preamble == null ? 0 : preamble.readableBytes();
        LoopPartition target = partition;
        try {
            loop.execute(() -> target.register(slot, preamble));
        } catch (RuntimeException | Error notHandedOff) {
            if (preamble != null) {
                preamble.release();
            }
            target.forget(audience);
            channel.close();
        }
    }

    /** A request to end every stream, spread over time; see {@link LoopPartition#drain}. */
    record Drain(long spreadNanos, long retryMillis, long jitterMillis, CompletableFuture<Void> done) {
    }

    /** Starts ending every listed stream; each partition does it on its own loop; {@code done} completes after. */
    void drain(Drain request) {
        AtomicInteger pending = new AtomicInteger(1);
        Runnable partitionDone = () -> {
            if (pending.decrementAndGet() == 0) {
                request.done().complete(null);
            }
        };
        for (LoopPartition partition : all) {
            pending.incrementAndGet();
            try {
                partition.loop.execute(() -> partition.drain(request.spreadNanos(), request.retryMillis(),
                        request.jitterMillis(), partitionDone));
            } catch (RuntimeException | Error loopGone) {
                partition.poison(); // its streams are closed rather than left open
                partitionDone.run();
            }
        }
        partitionDone.run();
    }

    /** Closes every listed stream; each partition does it on its own loop. */
    void closeAll() {
        for (LoopPartition partition : all) {
            partition.poison();
        }
    }

    /** Closes every listed stream and stops the partitions' once-a-second checks, for good: the hub closes. */
    void close() {
        for (LoopPartition partition : all) {
            partition.poison();
            partition.stop();
        }
    }
}
