package dev.ssecast.core.internal;

import dev.ssecast.core.SseEncoder;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.SseHistory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedArrayQueue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The hub's duty cycle, in Agrona's {@code Agent} shape. Single thread: everything here runs on the tick thread,
 * which is the only writer of the replay ring and the audiences.
 *
 * <p>Each {@link #doWork} admits waiting subscribers (their resume frames come from the ring as it stands before
 * this tick's events), drains the publish queue in publish order, encodes each event once, appends it to the ring,
 * builds one chunk-framed frame per audience that has events (or is due a heartbeat), and hands each event loop
 * that has streams one task with those frames.
 */
final class TickLoop {
    private static final Comparator<PendingEvent> BY_SEQ = Comparator.comparingLong(e -> e.seq);

    private final HubSettings settings;
    private final ByteBufAllocator alloc;
    private final MessagePassingQueue<PendingEvent> published;
    private final MessagePassingQueue<Subscription> subscriptions;
    private final AtomicInteger inFlight;
    private final HubStats stats;
    private final LongSupplier clock;
    private final ReplayRing ring;
    private final ResumeFrames resumeFrames;
    private final long heartbeatNanos;

    private final Map<List<String>, Audience> audiences = new HashMap<>();
    private final Map<String, List<Audience>> audiencesByTopic = new HashMap<>();
    private final ArrayList<Integer> freeAudienceIds = new ArrayList<>();
    private int nextAudienceId;
    private final Map<EventLoop, LoopPartition> partitionsByLoop = new IdentityHashMap<>();
    private final List<LoopPartition> partitions = new ArrayList<>();
    private final List<LoopPartition> receivers = new ArrayList<>();

    private final ArrayList<PendingEvent> held = new ArrayList<>();
    private long nextSeq;
    private final ByteBuf scratch = Unpooled.buffer(1024);
    private byte[][] encoded = new byte[64][];
    private final List<Audience> touched = new ArrayList<>();
    private final TickBatch tick = new TickBatch();
    private long nextHeartbeatRound;
    private final SseHistory history;
    /** History loads that completed, from whatever thread completed them to the tick thread. */
    private final MpscUnboundedArrayQueue<HistoryLoad> loaded = new MpscUnboundedArrayQueue<>(64);
    /** Set once a drain has started: later subscribers are ended at once instead of joining. */
    private Drain drain;

    TickLoop(HubSettings settings, MessagePassingQueue<PendingEvent> published,
             MessagePassingQueue<Subscription> subscriptions, AtomicInteger inFlight, HubStats stats,
             LongSupplier clock) {
        this.settings = settings;
        this.alloc = settings.allocator();
        this.published = published;
        this.subscriptions = subscriptions;
        this.inFlight = inFlight;
        this.stats = stats;
        this.clock = clock;
        this.ring = new ReplayRing(settings.replayEvents(), settings.replayBytes());
        this.resumeFrames = new ResumeFrames(ring, alloc, stats);
        this.heartbeatNanos = settings.heartbeat().toNanos();
        this.history = settings.history();
        this.nextHeartbeatRound = clock.getAsLong() + heartbeatNanos / 2;
    }

    ReplayRing ring() {
        return ring;
    }

    /** One tick at {@code nowNanos}; returns how much it did (subscribers admitted plus events ticked). */
    int doWork(long nowNanos) {
        int events = takeInOrder();
        for (int i = 0; i < events; i++) {
            PendingEvent event = held.get(i);
            scratch.clear();
            SseEncoder.encode(event.event, scratch);
            byte[] bytes = new byte[scratch.readableBytes()];
            scratch.readBytes(bytes);
            encoded[i] = bytes;
            ring.append(event.id, event.topic, bytes);
            List<Audience> listeners = audiencesByTopic.get(event.topic);
            if (listeners != null) {
                for (int a = 0; a < listeners.size(); a++) {
                    Audience audience = listeners.get(a);
                    if (audience.tickEventCount == 0) {
                        touched.add(audience);
                    }
                    audience.addTickEvent(i);
                }
            }
        }
        TickFrames frames = buildFrames(nowNanos);
        if (frames != null) {
            handOff(frames);
        }
        // Streams join after this tick's frames were handed off (their loops run the registration after the
        // fan-out), with a preamble that carries what of this tick they need: nothing is missed, nothing repeated.
        tick.set(held, encoded, events);
        int admitted = admitSubscriptions(nowNanos);
        tick.set(List.of(), encoded, 0);
        if (events > 0) {
            held.subList(0, events).clear();
            Arrays.fill(encoded, 0, events, null);
            stats.published.add(events);
            inFlight.addAndGet(-events);
        }
        settings.tickObserver().accept(clock.getAsLong() - nowNanos);
        return admitted + events;
    }

    /** Moves the contiguous run of publishes that follows the last ticked one to the front of {@link #held}. */
    private int takeInOrder() {
        published.drain(held::add);
        if (held.isEmpty()) {
            return 0;
        }
        if (held.size() > 1) {
            held.sort(BY_SEQ);
        }
        int n = 0;
        while (n < held.size() && held.get(n).seq == nextSeq) {
            nextSeq++;
            n++;
        }
        if (encoded.length < n) {
            encoded = new byte[Math.max(n, encoded.length * 2)][];
        }
        return n;
    }

    private TickFrames buildFrames(long nowNanos) {
        boolean heartbeatRound = nowNanos - nextHeartbeatRound >= 0;
        if (touched.isEmpty() && !heartbeatRound) {
            return null;
        }
        List<Audience> idle = heartbeatRound ? heartbeatRound(nowNanos) : List.of();
        int count = touched.size() + idle.size();
        if (count == 0) {
            return null;
        }
        int[] audienceIds = new int[count];
        ByteBuf[] frames = new ByteBuf[count];
        int[] eventCounts = new int[count];
        int f = 0;
        for (Audience audience : touched) {
            int payload = 0;
            for (int e = 0; e < audience.tickEventCount; e++) {
                payload += encoded[audience.tickEvents[e]].length;
            }
            ByteBuf frame = ChunkFrames.open(alloc, payload);
            for (int e = 0; e < audience.tickEventCount; e++) {
                frame.writeBytes(encoded[audience.tickEvents[e]]);
            }
            audienceIds[f] = audience.id;
            frames[f] = ChunkFrames.close(frame);
            eventCounts[f] = audience.tickEventCount;
            audience.tickEventCount = 0;
            audience.lastFrameNanos = nowNanos;
            f++;
        }
        touched.clear();
        if (!idle.isEmpty()) {
            // One heartbeat buffer shared by every idle audience: one reference per place it stands in frames[].
            ByteBuf heartbeat = ChunkFrames.of(alloc, HEARTBEAT);
            if (idle.size() > 1) {
                heartbeat.retain(idle.size() - 1);
            }
            for (Audience audience : idle) {
                audienceIds[f] = audience.id;
                frames[f] = heartbeat;
                audience.lastFrameNanos = nowNanos;
                f++;
            }
        }
        return new TickFrames(count, audienceIds, frames, eventCounts, nowNanos);
    }

    private static final byte[] HEARTBEAT = ":\n\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * Runs every half heartbeat: forgets audiences nobody listens to any more, and returns those silent for at
     * least half a heartbeat, so that no stream is silent for longer than one heartbeat.
     */
    private List<Audience> heartbeatRound(long nowNanos) {
        nextHeartbeatRound = nowNanos + heartbeatNanos / 2;
        List<Audience> idle = new ArrayList<>();
        var it = audiences.values().iterator();
        while (it.hasNext()) {
            Audience audience = it.next();
            if (audience.streams.get() == 0) {
                it.remove();
                for (String topic : audience.topics) {
                    List<Audience> listeners = audiencesByTopic.get(topic);
                    listeners.remove(audience);
                    if (listeners.isEmpty()) {
                        audiencesByTopic.remove(topic);
                    }
                }
                freeAudienceIds.add(audience.id);
            } else if (nowNanos - audience.lastFrameNanos >= heartbeatNanos / 2) {
                idle.add(audience);
            }
        }
        return idle;
    }

    /** Hands every loop that has streams one task; each holds one reference to every frame (see TickFrames). */
    private void handOff(TickFrames frames) {
        // One pass decides the receivers: a loop may drop to zero streams meanwhile, and it must still get the
        // task whose references were retained for it (it then just releases them).
        receivers.clear();
        for (int p = 0; p < partitions.size(); p++) {
            if (partitions.get(p).streams.get() > 0) {
                receivers.add(partitions.get(p));
            }
        }
        if (!receivers.isEmpty()) {
            frames.retainAll(receivers.size());
            for (int p = 0; p < receivers.size(); p++) {
                LoopPartition partition = receivers.get(p);
                try {
                    partition.loop.execute(() -> partition.fanOut(frames));
                } catch (RejectedExecutionException loopShutDown) {
                    frames.releaseAll();
                }
            }
        }
        frames.releaseAll();
    }

    private int admitSubscriptions(long nowNanos) {
        int admitted = 0;
        HistoryLoad load;
        while ((load = loaded.poll()) != null) {
            admitAfterHistory(load, nowNanos);
            admitted++;
        }
        Subscription subscription;
        while ((subscription = subscriptions.poll()) != null) {
            if (drain != null) {
                end(subscription.channel, ChunkFrames.goodbye(subscription.channel.alloc(), drain.retryMillis()));
                continue;
            }
            if (history != null && subscription.lastEventId != null) {
                EventId last = EventId.parse(subscription.lastEventId);
                if (last.isValid() && ring.needsHistory(last)) {
                    loadHistory(subscription, last);
                    continue;
                }
            }
            Audience audience = audienceFor(subscription.topics, nowNanos);
            admit(subscription, audience, resumeFrames.preamble(subscription.lastEventId, audience.topicSet, tick));
            admitted++;
        }
        return admitted;
    }

    /** A stream waiting for the history: the events it loaded, or null if they are gone, or why it failed. */
    record HistoryLoad(Subscription subscription, EventId last, EventId before, List<SseEvent> events,
                       Throwable failure) {
    }

    private void loadHistory(Subscription subscription, EventId last) {
        EventId before = ring.oldest();
        try {
            history.eventsBetween(last.text(), before == null ? null : before.text(), Collections.unmodifiableSet(new LinkedHashSet<>(subscription.topics)))
                    .whenComplete((events, failure) ->
                            loaded.offer(new HistoryLoad(subscription, last, before, events, failure)));
        } catch (RuntimeException failure) {
            loaded.offer(new HistoryLoad(subscription, last, before, null, failure));
        }
    }

    private void admitAfterHistory(HistoryLoad load, long nowNanos) {
        Channel channel = load.subscription().channel;
        if (drain != null) {
            end(channel, ChunkFrames.goodbye(channel.alloc(), drain.retryMillis()));
        } else if (load.failure() != null) {
            // The client keeps the retry it was sent, and comes back with the same Last-Event-ID.
            end(channel, ChunkFrames.last(channel.alloc()));
        } else {
            Audience audience = audienceFor(load.subscription().topics, nowNanos);
            admit(load.subscription(), audience, load.events() == null
                    ? resumeFrames.reset("too-old", audience.topicSet, tick)
                    : resumeFrames.afterHistory(load.events(), load.last(), load.before(), audience.topicSet, tick));
        }
    }

    /** Writes {@code bye} (which it owns) and closes the channel, on the channel's loop. */
    private static void end(Channel channel, ByteBuf bye) {
        try {
            channel.eventLoop().execute(() -> channel.writeAndFlush(bye).addListener(ChannelFutureListener.CLOSE));
        } catch (RejectedExecutionException loopShutDown) {
            bye.release();
        }
    }

    /** Hands the stream to its loop's partition with its preamble (owned here until the hand-off). */
    private void admit(Subscription subscription, Audience audience, ByteBuf preamble) {
        EventLoop loop = subscription.channel.eventLoop();
        LoopPartition partition = partitionsByLoop.get(loop);
        if (partition == null) {
            partition = new LoopPartition(loop, stats, settings.maxQueuedBytes(), settings.maxUnwritable().toNanos());
            partitionsByLoop.put(loop, partition);
            partitions.add(partition);
        }
        audience.streams.incrementAndGet();
        partition.streams.incrementAndGet();
        stats.openStreams.incrementAndGet();
        stats.deliveries.add(resumeFrames.lastEvents()); // the preamble's events are delivered like any other
        StreamSlot slot = new StreamSlot(subscription.channel, audience, partition);
        slot.preambleBytes = preamble == null ? 0 : preamble.readableBytes();
        LoopPartition target = partition;
        try {
            loop.execute(() -> target.register(slot, preamble));
        } catch (RejectedExecutionException loopShutDown) {
            if (preamble != null) {
                preamble.release();
            }
            target.forget(slot);
        }
    }

    private Audience audienceFor(List<String> topics, long nowNanos) {
        Audience audience = audiences.get(topics);
        if (audience == null) {
            int id = freeAudienceIds.isEmpty() ? nextAudienceId++ : freeAudienceIds.remove(freeAudienceIds.size() - 1);
            audience = new Audience(id, topics, nowNanos);
            audiences.put(topics, audience);
            for (String topic : topics) {
                audiencesByTopic.computeIfAbsent(topic, t -> new ArrayList<>(2)).add(audience);
            }
        }
        return audience;
    }

    /** A request to end every stream, spread over time; see {@link LoopPartition#drain}. */
    record Drain(long spreadNanos, long retryMillis, long jitterMillis, CompletableFuture<Void> done) {
    }

    /** Starts ending every stream; each partition does it on its own loop, and {@code done} completes after all. */
    void drain(Drain request) {
        drain = request;
        AtomicInteger pending = new AtomicInteger(1);
        Runnable partitionDone = () -> {
            if (pending.decrementAndGet() == 0) {
                request.done().complete(null);
            }
        };
        for (LoopPartition partition : partitions) {
            pending.incrementAndGet();
            try {
                partition.loop.execute(() -> partition.drain(request.spreadNanos(), request.retryMillis(),
                        request.jitterMillis(), partitionDone));
            } catch (RejectedExecutionException loopShutDown) {
                partitionDone.run();
            }
        }
        partitionDone.run();
    }

    /** Closes every stream; each partition does it on its own loop. */
    void closeAllStreams() {
        for (LoopPartition partition : partitions) {
            try {
                partition.loop.execute(partition::closeAll);
            } catch (RejectedExecutionException loopShutDown) {
                // its channels are closed with the loop
            }
        }
    }

    void release() {
        scratch.release();
    }
}
