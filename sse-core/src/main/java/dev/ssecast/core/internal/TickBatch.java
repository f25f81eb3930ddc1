package dev.ssecast.core.internal;

import java.util.List;

/**
 * The events of the tick under way, in id order, already encoded and in the ring. Streams admitted in a tick join
 * after its frames were handed off, so their preamble carries what of this batch they would otherwise miss.
 * Tick thread only; valid until the tick ends.
 */
final class TickBatch implements EncodedEvents {
    private List<PendingEvent> events = List.of();
    private byte[][] encoded = new byte[0][];
    private int count;

    void set(List<PendingEvent> events, byte[][] encoded, int count) {
        this.events = events;
        this.encoded = encoded;
        this.count = count;
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public String topic(int i) {
        return events.get(i).topic;
    }

    @Override
    public byte[] bytes(int i) {
        return encoded[i];
    }
}
