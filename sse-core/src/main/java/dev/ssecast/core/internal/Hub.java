package dev.ssecast.core.internal;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseEvent;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The engine behind {@code SseBroadcaster}, as two sides: the publishers' {@link PublishQueue} (any thread) and
 * the {@link TickAgent} that owns the tick thread and everything it touches. This class only wires them and
 * forwards; it holds no state of its own.
 */
public final class Hub {
    private final HubStats stats = new HubStats();
    private final PublishQueue queue;
    private final TickAgent agent;
    private final WriteBufferWaterMark waterMark;
    private final boolean suppliedIds;

    public Hub(HubSettings settings) {
        this(settings, System::nanoTime, TickFaults.NONE);
    }

    /** A hub reading time from {@code clock} (nanoseconds, like {@link System#nanoTime()}); tests control it. */
    Hub(HubSettings settings, LongSupplier clock) {
        this(settings, clock, TickFaults.NONE);
    }

    /** A hub whose tick steps fail when {@code faults} says so; tests of the agent's containment. */
    Hub(HubSettings settings, LongSupplier clock, TickFaults faults) {
        this.queue = new PublishQueue(settings.publishQueue(), settings.suppliedIds(), settings.firstId(), stats);
        this.agent = new TickAgent(settings, queue, stats, clock, faults);
        this.waterMark = new WriteBufferWaterMark(settings.writeBufferLow(), settings.writeBufferHigh());
        this.suppliedIds = settings.suppliedIds();
    }

    public void start() {
        agent.start();
    }

    /**
     * Accepts an event for the next tick, or refuses it as a value (queue full, closed).
     *
     * @throws IllegalArgumentException if the event's id breaks the id rule; nothing changes then
     */
    public PublishResult publish(String topic, SseEvent event) {
        try {
            return queue.publish(topic, event);
        } finally {
            agent.wake(); // after the hand-off, accepted or not: a refused publish only costs a volatile read
        }
    }

    /**
     * Queues a channel that has been answered with the stream's head for admission at the next tick. Call on the
     * channel's event loop. Returns false when the hub is closed: the caller ends the stream.
     *
     * @param topics      sorted, distinct topics
     * @param lastEventId the client's last event id, or null
     */
    public boolean subscribe(Channel channel, List<String> topics, String lastEventId) {
        return subscribe(channel, topics, lastEventId, NO_DEADLINE, 3000);
    }

    /** The deadline of a stream that has none. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    /**
     * {@link #subscribe(Channel, List, String)} for a stream that ends at {@code untilMillis} (epoch
     * milliseconds), with a {@code retry:} of {@code retryMillis}.
     */
    public boolean subscribe(Channel channel, List<String> topics, String lastEventId, long untilMillis,
                             long retryMillis) {
        channel.config().setWriteBufferWaterMark(waterMark);
        return agent.admissions().offer(new Subscription(channel, topics, lastEventId, untilMillis, retryMillis));
    }

    /** See {@code SseBroadcaster.startAfter}. */
    public void startAfter(EventId id) {
        if (!suppliedIds) {
            throw new IllegalStateException("startAfter needs supplied ids; this broadcaster assigns its own");
        }
        queue.startAfter(id);
        agent.startAfter(id);
    }

    public HubStats stats() {
        return stats;
    }

    public int replaySize() {
        return agent.replaySize();
    }

    /** False from the third failed tick in a row until a second passes without a failure. */
    public boolean isHealthy() {
        return agent.isHealthy();
    }

    /** Whether the tick thread sleeps for want of work; for tests. */
    boolean isAsleep() {
        return agent.isAsleep();
    }

    /** One tick on the caller's thread; for a hub that was never {@link #start() started}. */
    public void tickNow() {
        agent.tickNow();
    }

    /**
     * Ends every stream, spread over {@code spread}: each gets {@code retry:} of {@code retry} plus a random
     * jitter of up to {@code jitter}, then is closed; streams that join from now on are ended the same way at once.
     * The future completes when every stream has been ended, or fails if the drain could not start.
     */
    public CompletableFuture<Void> drain(Duration spread, Duration retry, Duration jitter) {
        return agent.drain(spread.toNanos(), retry.toMillis(), jitter.toMillis());
    }

    /** Stops the tick thread after delivering what was accepted, then closes every stream. Idempotent. */
    public void close() {
        agent.close();
    }
}
