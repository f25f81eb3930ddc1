package dev.ssecast.core.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A distinct set of topics and the streams subscribed to exactly that set: the unit a frame is encoded for.
 * Owned by the tick thread, except {@link #streams}, which the event loops decrement when a stream leaves.
 */
final class Audience {
    final int id;
    final List<String> topics;
    final Set<String> topicSet;
    /** Streams admitted and not yet removed; counted up by the tick thread before a stream is handed to its loop. */
    final AtomicInteger streams = new AtomicInteger();

    /** Positions (in this tick's batch) of the events this audience gets this tick; tick thread only. */
    int[] tickEvents = new int[8];
    int tickEventCount;
    long lastFrameNanos;

    Audience(int id, List<String> topics, long nowNanos) {
        this.id = id;
        this.topics = topics;
        this.topicSet = Set.copyOf(topics);
        this.lastFrameNanos = nowNanos;
    }

    void addTickEvent(int position) {
        if (tickEventCount == tickEvents.length) {
            tickEvents = Arrays.copyOf(tickEvents, tickEventCount * 2);
        }
        tickEvents[tickEventCount++] = position;
    }
}
