package dev.ssecast.core.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What an operator counts. Written by the tick thread, the event loops and publishers (once per tick, per task or
 * per publish, never per delivery); read from any thread.
 */
public final class HubStats {
    final AtomicInteger openStreams = new AtomicInteger();
    final LongAdder published = new LongAdder();
    final LongAdder publishRejected = new LongAdder();
    final LongAdder deliveries = new LongAdder();
    final LongAdder slowConsumersClosed = new LongAdder();
    final LongAdder resets = new LongAdder();
    final LongAdder tickFailures = new LongAdder();
    final LongAdder eventsDropped = new LongAdder();
    final LongAdder streamsExpired = new LongAdder();
    final LongAdder ticksDeferred = new LongAdder();

    public int openStreams() {
        return openStreams.get();
    }

    public long published() {
        return published.sum();
    }

    public long publishRejected() {
        return publishRejected.sum();
    }

    public long deliveries() {
        return deliveries.sum();
    }

    public long slowConsumersClosed() {
        return slowConsumersClosed.sum();
    }

    public long resets() {
        return resets.sum();
    }

    public long tickFailures() {
        return tickFailures.sum();
    }

    public long eventsDropped() {
        return eventsDropped.sum();
    }

    public long streamsExpired() {
        return streamsExpired.sum();
    }

    /** Tick periods put off, with work waiting, because a loop was still writing an earlier tick; see TickAgent. */
    public long ticksDeferred() {
        return ticksDeferred.sum();
    }
}
