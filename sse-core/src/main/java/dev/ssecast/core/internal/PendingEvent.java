package dev.ssecast.core.internal;

import dev.ssecast.core.SseEvent;

/** An accepted event on its way from a publisher to the tick thread; {@code seq} is its gap-free publish order. */
final class PendingEvent {
    final long seq;
    final EventId id;
    final String topic;
    final SseEvent event;

    PendingEvent(long seq, EventId id, String topic, SseEvent event) {
        this.seq = seq;
        this.id = id;
        this.topic = topic;
        this.event = event;
    }
}
