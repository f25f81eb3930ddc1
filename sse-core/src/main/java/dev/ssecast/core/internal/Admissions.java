package dev.ssecast.core.internal;

import dev.ssecast.core.SseEvent;
import dev.ssecast.core.SseHistory;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import org.jctools.queues.MpscUnboundedArrayQueue;

import java.util.ArrayList;
import java.util.List;

/**
 * Streams on their way in: queued by their loops, admitted by the tick thread after the tick's fan-out, with a
 * preamble that carries what of this tick they need; or, when they resume, held as a {@link Catchup} that streams
 * the ring to them piece by piece until it joins live. Tick thread only, except {@link #offer} and the history
 * completions, which any thread may call.
 *
 * <p>A stream whose admission fails is closed, never retried and never left hanging: its client reconnects.
 */
final class Admissions {
    private final MpscUnboundedArrayQueue<Subscription> waiting = new MpscUnboundedArrayQueue<>(1024);
    /** History loads that completed, from whatever thread completed them to the tick thread. */
    private final MpscUnboundedArrayQueue<HistoryLoad> loaded = new MpscUnboundedArrayQueue<>(64);
    private final ArrayList<Catchup> catchingUp = new ArrayList<>();
    private final ReplayRing ring;
    private final Audiences audiences;
    private final Partitions partitions;
    private final ResumeFrames frames;
    private final SseHistory history;
    private final HubStats stats;
    private final TickFaults faults;
    private final TickFailures failures;
    private final long maxUnwritableNanos;
    /** Wakes the tick thread after a hand-off from another thread; see {@code TickAgent.wake}. */
    private final Runnable wake;
    private volatile boolean closed;
    /** Set once a drain has started: later streams are ended at once instead of joining. */
    private Partitions.Drain drain;

    Admissions(ReplayRing ring, Audiences audiences, Partitions partitions, ResumeFrames frames, HubSettings settings,
               HubStats stats, TickFaults faults, TickFailures failures, Runnable wake) {
        this.wake = wake;
        this.ring = ring;
        this.audiences = audiences;
        this.partitions = partitions;
        this.frames = frames;
        this.history = settings.history();
        this.stats = stats;
        this.faults = faults;
        this.failures = failures;
        this.maxUnwritableNanos = settings.maxUnwritable().toNanos();
    }

    /**
     * Any thread: queues a stream for the next tick. False when the hub is closed: the caller ends the stream.
     * A stream queued while the hub closes may be ended both ways, which is harmless.
     */
    boolean offer(Subscription subscription) {
        if (closed) {
            return false;
        }
        waiting.offer(subscription);
        wake.run();
        return !closed;
    }

    /** Tick thread: whether a stream waits to be admitted, a history load completed, or a resume is under way. */
    boolean hasWork() {
        return !waiting.isEmpty() || !loaded.isEmpty() || !catchingUp.isEmpty();
    }

    /** Admits what is waiting and moves each resume one piece on; returns the streams it worked on. */
    int doWork(long nowNanos, TickBatch batch) {
        int work = 0;
        HistoryLoad load;
        while ((load = loaded.poll()) != null) {
            work++;
            try {
                faults.at(TickFaults.Step.HISTORY_COMPLETION);
                afterHistory(load, nowNanos, batch);
            } catch (Throwable failure) {
                failures.failed(TickFaults.Step.HISTORY_COMPLETION, failure);
                abandon(load.subscription().channel);
            }
        }
        Subscription subscription;
        while ((subscription = waiting.poll()) != null) {
            work++;
            try {
                faults.at(TickFaults.Step.ADMISSION);
                admit(subscription, nowNanos, batch);
            } catch (Throwable failure) {
                failures.failed(TickFaults.Step.ADMISSION, failure);
                abandon(subscription.channel);
            }
        }
        for (int i = catchingUp.size() - 1; i >= 0; i--) {
            Catchup catchup = catchingUp.get(i);
            boolean done;
            try {
                faults.at(TickFaults.Step.ADMISSION);
                done = advance(catchup, nowNanos, batch);
            } catch (Throwable failure) {
                failures.failed(TickFaults.Step.ADMISSION, failure);
                leave(catchup);
                abandon(catchup.channel());
                done = true;
            }
            if (done) {
                catchingUp.set(i, catchingUp.get(catchingUp.size() - 1));
                catchingUp.remove(catchingUp.size() - 1);
                work++;
            }
        }
        return work;
    }

    private void admit(Subscription subscription, long nowNanos, TickBatch batch) {
        if (drain != null) {
            end(subscription.channel, ChunkFrames.goodbye(subscription.channel.alloc(), drain.retryMillis()));
            return;
        }
        if (subscription.expired(System.currentTimeMillis())) {
            stats.streamsExpired.increment();
            end(subscription.channel, ChunkFrames.goodbye(subscription.channel.alloc(), subscription.retryMillis));
            return;
        }
        if (subscription.lastEventId == null) {
            join(subscription, null, nowNanos, batch);
            return;
        }
        EventId last = EventId.parse(subscription.lastEventId);
        if (!last.isValid()) {
            stats.resets.increment();
            join(subscription, frames.reset("unknown-id"), nowNanos, batch);
        } else if (history != null && ring.needsHistory(last, subscription.topicSet)) {
            loadHistory(subscription, last);
        } else if (ring.newest() == null || last.isAfter(ring.newest())) {
            // Newer than anything here (another id space, a restarted node): up to date, so it goes live, and
            // live includes this tick.
            join(subscription, null, nowNanos, batch);
        } else if (ring.evictedAfter(last, subscription.topicSet)) {
            stats.resets.increment();
            join(subscription, frames.reset("too-old"), nowNanos, batch);
        } else {
            startCatchup(new Catchup(subscription, last, null), nowNanos, batch);
        }
    }

    /** Lists the stream now, after {@code head} (taken, may be null), this tick's events and the priming id. */
    private void join(Subscription subscription, ByteBuf head, long nowNanos, TickBatch batch) {
        ByteBuf preamble = frames.join(head, subscription.topicSet, batch, ring.newest());
        stats.deliveries.add(frames.lastEvents());
        partitions.register(subscription, audiences.of(subscription.topics, nowNanos), preamble);
    }

    private void startCatchup(Catchup catchup, long nowNanos, TickBatch batch) {
        stats.openStreams.incrementAndGet();
        catchingUp.add(catchup); // listed first: if advancing throws, the next tick finds it closed and lets go
        if (advance(catchup, nowNanos, batch)) {
            catchingUp.remove(catchingUp.size() - 1);
        }
    }

    /**
     * Sends the next piece unless one is still in flight, or joins live with the last; closes a stream that fell
     * behind the ring or the slow-consumer bound, so that its client resumes from what it really got. Returns
     * whether the stream is done catching up.
     */
    private boolean advance(Catchup catchup, long nowNanos, TickBatch batch) {
        Channel channel = catchup.channel();
        if (!channel.isActive()) {
            leave(catchup);
            return true;
        }
        if (catchup.inFlight) {
            if (nowNanos - catchup.sentNanos > maxUnwritableNanos) {
                stats.slowConsumersClosed.increment();
                leave(catchup);
                channel.close();
                return true;
            }
            return false;
        }
        if (catchup.subscription.expired(System.currentTimeMillis())) {
            stats.streamsExpired.increment();
            leave(catchup);
            end(channel, ChunkFrames.goodbye(channel.alloc(), catchup.subscription.retryMillis));
            return true;
        }
        if (ring.evictedAfter(catchup.cursor, catchup.subscription.topicSet)) {
            leave(catchup);
            channel.close();
            return true;
        }
        ByteBuf piece = frames.next(catchup, ring, catchup.subscription.topicSet);
        stats.deliveries.add(frames.lastEvents());
        if (frames.reachedNewest()) {
            stats.openStreams.decrementAndGet(); // registered, it counts again
            partitions.register(catchup.subscription, audiences.of(catchup.subscription.topics, nowNanos), piece);
            return true;
        }
        catchup.inFlight = true;
        catchup.sentNanos = nowNanos;
        try {
            channel.eventLoop().execute(() -> channel.writeAndFlush(piece).addListener(catchup));
        } catch (RuntimeException | Error notHandedOff) {
            piece.release();
            throw notHandedOff;
        }
        return false;
    }

    /** A catching-up stream leaves without joining: it no longer counts as open. */
    private void leave(Catchup catchup) {
        catchup.discard();
        stats.openStreams.decrementAndGet();
    }

    /** A stream waiting for the history: the events it loaded, or null if they are gone, or why it failed. */
    record HistoryLoad(Subscription subscription, EventId last, List<SseEvent> events, Throwable failure) {
    }

    private void loadHistory(Subscription subscription, EventId last) {
        EventId before = ring.oldest();
        try {
            history.eventsBetween(last.text(), before == null ? null : before.text(), subscription.topicSet)
                    .whenComplete((events, failure) -> completed(new HistoryLoad(subscription, last, events,
                            failure)));
        } catch (RuntimeException failure) {
            completed(new HistoryLoad(subscription, last, null, failure));
        }
    }

    private void completed(HistoryLoad load) {
        loaded.offer(load);
        wake.run();
        if (closed) {
            abandon(load.subscription().channel); // the hub closed meanwhile; maybe ended twice, harmlessly
        }
    }

    private void afterHistory(HistoryLoad load, long nowNanos, TickBatch batch) {
        Subscription subscription = load.subscription();
        if (drain != null) {
            end(subscription.channel, ChunkFrames.goodbye(subscription.channel.alloc(), drain.retryMillis()));
        } else if (load.failure() != null) {
            // The client keeps the retry it was sent, and comes back with the same Last-Event-ID.
            end(subscription.channel, ChunkFrames.last(subscription.channel.alloc()));
        } else if (load.events() == null) {
            stats.resets.increment();
            join(subscription, frames.reset("too-old"), nowNanos, batch);
        } else {
            EventId cursor = load.last();
            for (SseEvent event : load.events()) {
                EventId id = EventId.parse(event.id());
                if (id.isValid() && id.isAfter(cursor)) {
                    cursor = id;
                }
            }
            ByteBuf head = load.events().isEmpty() ? null : frames.encodeAll(load.events());
            stats.deliveries.add(load.events().size());
            startCatchup(new Catchup(subscription, cursor, head), nowNanos, batch);
        }
    }

    /** Ends every stream not yet listed, and refuses those that come later (they are ended at once). */
    void drain(Partitions.Drain request) {
        drain = request;
        for (Catchup catchup : catchingUp) {
            leave(catchup);
            end(catchup.channel(), ChunkFrames.goodbye(catchup.channel().alloc(), request.retryMillis()));
        }
        catchingUp.clear();
    }

    /** Closes every stream not yet listed, and refuses new ones; tick thread, at the hub's close. */
    void close() {
        closed = true;
        Subscription subscription;
        while ((subscription = waiting.poll()) != null) {
            end(subscription.channel, ChunkFrames.last(subscription.channel.alloc()));
        }
        HistoryLoad load;
        while ((load = loaded.poll()) != null) {
            abandon(load.subscription().channel);
        }
        for (Catchup catchup : catchingUp) {
            leave(catchup);
            abandon(catchup.channel());
        }
        catchingUp.clear();
    }

    /** Writes {@code bye} (which it owns) and closes the channel, on the channel's loop. */
    static void end(Channel channel, ByteBuf bye) {
        try {
            channel.eventLoop().execute(() -> channel.writeAndFlush(bye).addListener(ChannelFutureListener.CLOSE));
        } catch (RuntimeException | Error loopGone) {
            bye.release();
            abandon(channel);
        }
    }

    /** Closes a stream that cannot be served; its client reconnects. */
    private static void abandon(Channel channel) {
        try {
            channel.close();
        } catch (RuntimeException | Error loopGone) {
            // closed with its loop
        }
    }
}
