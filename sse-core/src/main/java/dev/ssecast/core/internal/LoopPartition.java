package dev.ssecast.core.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The streams of one event loop, grouped by audience. Confined to that loop: every method but {@link #streams}
 * and {@link #poison} runs on it, so adding, removing and writing need neither locks nor atomics, and the tick
 * thread hands the loop one task per tick instead of one per channel.
 *
 * <p>A failure while writing one channel closes that channel only. When the tick could not hand this loop its
 * frames, the partition is {@linkplain #poison poisoned}: before it writes anything else, it closes every stream
 * it holds, since each of them missed that tick; their clients resume from the ring.
 */
final class LoopPartition {
    /** Streams whose memory a delivery fetches together before writing them; see {@link #writeToAll}. */
    private static final int BLOCK = 32;

    final EventLoop loop;
    /** Streams admitted to this loop and not yet removed; counted up by the tick thread before the hand-off. */
    final AtomicInteger streams = new AtomicInteger();
    /** Ticks handed to this loop and not yet written: counted up by the tick thread, down by the loop. */
    final AtomicInteger ticksInFlight = new AtomicInteger();
    /** {@link System#nanoTime()} when this loop last finished writing a tick (or was created). */
    volatile long lastTickDoneNanos = System.nanoTime();
    /** Called on the loop after each tick it wrote; wakes a tick thread that waits for the loops. */
    private final Runnable tickDone;

    private final HubStats stats;
    private final long maxQueuedBytes;
    private final long maxUnwritableNanos;
    /** Indexed by audience id; null for an audience that never had a stream here. */
    private AudienceStreams[] byAudience = new AudienceStreams[8];
    /** Set by the tick thread when a tick's frames could not reach this loop; cleared by the loop. */
    private volatile boolean poisoned;
    /** Listed streams that have a deadline; the once-a-second check skips its walk while there are none. */
    private int expiring;
    private final ScheduledFuture<?> expiryCheck;
    /** The views this loop's direct writes hand out, one frame per audience and tick. */
    private final LoopViews views;
    /** A sum of what the first passes of {@link #writeToAll} read, kept so that the JIT keeps the reads. */
    private long touched;

    LoopPartition(EventLoop loop, HubStats stats, long maxQueuedBytes, long maxUnwritableNanos, Runnable tickDone) {
        this.loop = loop;
        this.tickDone = tickDone;
        this.stats = stats;
        this.maxQueuedBytes = maxQueuedBytes;
        this.maxUnwritableNanos = maxUnwritableNanos;
        this.views = new LoopViews(loop);
        this.expiryCheck = loop.scheduleAtFixedRate(this::endExpired, 1, 1, TimeUnit.SECONDS);
    }

    /** Stops the once-a-second check; the hub closes. */
    void stop() {
        expiryCheck.cancel(false);
    }

    /**
     * Once a second, on the loop: ends every stream past its deadline cleanly, with its {@code retry:} and the
     * end of the response, so it does not outlive its credentials. One walk per loop, no timer per stream.
     */
    private void endExpired() {
        if (expiring == 0) {
            return;
        }
        long now = System.currentTimeMillis();
        for (AudienceStreams streams : byAudience) {
            for (int i = streams == null ? -1 : streams.size - 1; i >= 0; i--) {
                StreamSlot slot = streams.slots[i];
                if (slot.untilMillis <= now) {
                    stats.streamsExpired.increment();
                    end(slot, slot.retryMillis);
                }
            }
        }
    }

    /** Unlists the stream at once, so no frame follows, then writes its goodbye and closes it. */
    private void end(StreamSlot slot, long retryMillis) {
        remove(slot);
        Channel channel = slot.channel;
        channel.writeAndFlush(ChunkFrames.goodbye(channel.alloc(), retryMillis))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Lists {@code channel} in its audience and writes its preamble (resume or reset frame, may be null). Takes
     * ownership of the preamble: it is written to the channel, or released when the channel has already gone.
     */
    void register(StreamSlot slot, ByteBuf preamble) {
        closeIfPoisoned();
        Channel channel = slot.channel;
        Audience audience = slot.audience;
        if (!channel.isActive()) {
            if (preamble != null) {
                preamble.release();
            }
            forget(audience);
            return;
        }
        int id = audience.id;
        if (id >= byAudience.length) {
            byAudience = Arrays.copyOf(byAudience, Math.max(id + 1, byAudience.length * 2));
        }
        if (byAudience[id] == null) {
            byAudience[id] = new AudienceStreams();
        }
        byAudience[id].add(slot);
        if (slot.hasDeadline()) {
            expiring++;
        }
        channel.closeFuture().addListener(slot);
        // Listed first, written second: nothing that runs during the write can find the stream unlisted.
        if (preamble != null) {
            try {
                channel.writeAndFlush(preamble, channel.voidPromise());
            } catch (RuntimeException | Error failed) {
                channel.close();
            }
        }
    }

    /**
     * From the tick thread: this loop missed a tick's frames (or the hub closes), so every stream it holds now
     * must be closed, after what was handed to it before and before anything handed to it later. If the loop
     * takes no task now, the next task it runs closes them first.
     */
    void poison() {
        try {
            loop.execute(this::closeAll);
        } catch (RuntimeException | Error notNow) {
            poisoned = true;
        }
    }

    private void closeIfPoisoned() {
        if (poisoned) {
            poisoned = false;
            closeAll();
        }
    }

    /** Unlists a slot in O(1) by moving the last stream of its audience into its place. Idempotent. */
    void remove(StreamSlot slot) {
        if (slot.index < 0) {
            return;
        }
        byAudience[slot.audience.id].remove(slot);
        if (slot.hasDeadline()) {
            expiring--;
        }
        forget(slot.audience);
    }

    /** Uncounts a stream of {@code audience} that leaves this partition, or never joined it. */
    void forget(Audience audience) {
        audience.streams.decrementAndGet();
        streams.decrementAndGet();
        stats.openStreams.decrementAndGet();
    }

    /**
     * Writes each frame to every channel of its audience (a view or a duplicate, see {@link #writeToAll}), flushing
     * each channel once, then releases this partition's reference to each frame. Channels that stayed unwritable too long, or queued too much, are
     * closed here and counted; they reconnect and resume from the replay ring.
     */
    void fanOut(TickFrames tick) {
        long deliveries = 0;
        try {
            closeIfPoisoned();
            for (int f = 0; f < tick.count; f++) {
                int audience = tick.audienceIds[f];
                AudienceStreams streams = audience < byAudience.length ? byAudience[audience] : null;
                if (streams == null || streams.size == 0) {
                    continue;
                }
                ByteBuf frame = tick.frames[f];
                if (frame == null) {
                    closeAll(streams); // its frame could not be built: they resume rather than miss it
                    continue;
                }
                // Direct writes take loop-confined views of the frame, whose counts only this loop touches;
                // the others take duplicates of it.
                LoopViews.Frame viewed;
                try {
                    viewed = views.open(frame.retain()); // the retained reference is the views' (released on failure)
                } catch (RuntimeException | Error failed) {
                    closeAll(streams); // they resume rather than miss the frame
                    continue;
                }
                deliveries += (long) tick.eventCounts[f] * streams.size;
                try {
                    writeToAll(streams, frame, viewed, tick.nanos);
                } finally {
                    viewed.close();
                }
            }
        } finally {
            tick.releaseAll();
            lastTickDoneNanos = System.nanoTime();
            ticksInFlight.decrementAndGet();
            tickDone.run();
        }
        stats.deliveries.add(deliveries);
    }

    /**
     * Writes to each of the streams a view of {@code viewed} when nothing outbound stands in its pipeline, else a
     * retained duplicate of {@code frame}; the caller keeps its references to both. In
     * blocks of {@link #BLOCK} streams, two passes: the first only reads what the writes will touch (channel,
     * outbound buffer, pipeline and its ends), with no atomics and no dependency from one stream to the next, so
     * that the memory system fetches a block's misses together instead of one write's after another's; the second
     * writes them.
     */
    private void writeToAll(AudienceStreams streams, ByteBuf frame, LoopViews.Frame viewed, long nowNanos) {
        Channel[] channels = streams.channels;
        long[] unwritableSince = streams.unwritableSince;
        ChannelHandlerContext[] soleInbound = streams.soleInbound;
        boolean[] consumesOnLoop = streams.consumesOnLoop;
        long visited = 0;
        // Backwards, because closing a channel moves the last stream into the current position.
        for (int end = streams.size; end > 0; end -= BLOCK) {
            int start = Math.max(0, end - BLOCK);
            for (int i = end - 1; i >= start; i--) {
                visited += touch(channels[i]);
            }
            for (int i = end - 1; i >= start; i--) {
                Channel channel = channels[i];
                try {
                    ChannelHandlerContext sole = soleInbound[i];
                    ChannelPipeline pipeline = channel.pipeline();
                    if (sole != null && pipeline.firstContext() == sole && pipeline.lastContext() == sole) {
                        // Nothing outbound in the pipeline: write and flush as its head would, without the walk.
                        // When the transport is done with it on this loop, the write is a view whose count only
                        // this loop touches. A failure reaches the pipeline as exceptionCaught, through the void
                        // promise, as before.
                        Channel.Unsafe unsafe = channel.unsafe();
                        unsafe.write(consumesOnLoop[i] ? viewed.view() : frame.retainedDuplicate(),
                                channel.voidPromise());
                        unsafe.flush();
                    } else {
                        // One walk of the pipeline for the write and its flush.
                        channel.writeAndFlush(frame.retainedDuplicate(), channel.voidPromise());
                    }
                    if (!channel.isWritable()) {
                        checkSlow(streams, i, nowNanos);
                    } else {
                        unwritableSince[i] = 0;
                    }
                } catch (RuntimeException | Error failed) {
                    channel.close(); // this channel only: the others still get the frame
                }
            }
        }
        touched += visited; // consumed, so the first passes' reads are kept
    }

    /** Reads what a write to {@code channel} touches first; returns something of it for the caller to consume. */
    private static int touch(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        return (channel.isWritable() ? 1 : 0) + (pipeline.firstContext() == null ? 1 : 0)
                + (pipeline.lastContext() == null ? 1 : 0);
    }

    private static void closeAll(AudienceStreams streams) {
        for (int i = streams.size - 1; i >= 0; i--) {
            streams.channels[i].close();
        }
    }

    /** The stream at {@code index} is unwritable: closes it when it has queued too much or for too long. */
    private void checkSlow(AudienceStreams streams, int index, long nowNanos) {
        Channel channel = streams.channels[index];
        ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
        // An HTTP/2 stream has no outbound buffer of its own: what it has pending (queued in the connection's flow
        // controller, or not yet written by the connection) is what it must write before it is writable again,
        // plus its low water mark.
        long queued = outbound != null ? outbound.totalPendingWriteBytes()
                : channel.bytesBeforeWritable() + channel.config().getWriteBufferLowWaterMark();
        long since = streams.unwritableSince[index];
        if (since == 0) {
            since = nowNanos | 1;
            streams.unwritableSince[index] = since;
        }
        if (queued > maxQueuedBytes + streams.slots[index].preambleBytes || nowNanos - since > maxUnwritableNanos) {
            stats.slowConsumersClosed.increment();
            channel.close();
        }
    }

    /**
     * Ends every stream of this partition spread over {@code spreadNanos}, in random order: each gets a
     * {@code retry:} of {@code retryMillis} plus up to {@code jitterMillis} and the last chunk, then is closed, so
     * that clients come back one by one (through a load balancer, to another node). Runs on the loop; calls
     * {@code done} on the loop once every stream has been ended.
     */
    void drain(long spreadNanos, long retryMillis, long jitterMillis, Runnable done) {
        closeIfPoisoned();
        List<StreamSlot> all = new ArrayList<>();
        for (AudienceStreams streams : byAudience) {
            for (int i = 0; streams != null && i < streams.size; i++) {
                all.add(streams.slots[i]);
            }
        }
        Random random = ThreadLocalRandom.current();
        Collections.shuffle(all, random);
        int steps = (int) Math.max(1, Math.min(all.size(), spreadNanos / TimeUnit.MILLISECONDS.toNanos(10)));
        AtomicInteger remaining = new AtomicInteger(steps);
        for (int step = 0; step < steps; step++) {
            List<StreamSlot> slice = all.subList(step * all.size() / steps, (step + 1) * all.size() / steps);
            Runnable endSlice = () -> {
                for (StreamSlot slot : slice) {
                    if (slot.index >= 0) { // not gone meanwhile
                        end(slot, retryMillis + (jitterMillis == 0 ? 0 : random.nextLong(jitterMillis + 1)));
                    }
                }
                if (remaining.decrementAndGet() == 0) {
                    done.run();
                }
            };
            loop.schedule(endSlice, step * spreadNanos / steps, TimeUnit.NANOSECONDS);
        }
    }

    /** Closes every stream of this partition; runs on the loop. */
    void closeAll() {
        for (AudienceStreams streams : byAudience) {
            if (streams != null) {
                closeAll(streams);
            }
        }
    }
}
