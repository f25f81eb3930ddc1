package dev.ssecast.core.internal;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * The events kept in the tick under way, in id order, each encoded and already in the ring. The batch holds its
 * own reference to each event's bytes, so an event that a later one of the same tick evicts from the ring stays
 * readable until the tick ends. Streams admitted in a tick join after its frames were handed off, so their
 * preamble carries what of this batch they would otherwise miss. Tick thread only.
 */
final class TickBatch {
    private EventId[] ids = new EventId[64];
    private String[] topics = new String[64];
    private ByteBuf[] bytes = new ByteBuf[64];
    private int count;

    /** Makes room for one more event, so that the {@link #add} after it cannot fail. */
    void reserve() {
        if (count == ids.length) {
            int length = count * 2;
            ids = Arrays.copyOf(ids, length);
            topics = Arrays.copyOf(topics, length);
            bytes = Arrays.copyOf(bytes, length);
        }
    }

    /** Adds an event after {@link #reserve()}; takes one reference to {@code encoded}, released by {@link #clear}. */
    void add(EventId id, String topic, ByteBuf encoded) {
        ids[count] = id;
        topics[count] = topic;
        bytes[count] = encoded;
        count++;
    }

    int count() {
        return count;
    }

    EventId id(int i) {
        return ids[i];
    }

    String topic(int i) {
        return topics[i];
    }

    /** The bytes of event {@code i}; the batch keeps owning them. */
    ByteBuf bytes(int i) {
        return bytes[i];
    }

    /** Releases the batch's references; it is empty afterwards. */
    void clear() {
        for (int i = 0; i < count; i++) {
            bytes[i].release();
            bytes[i] = null;
            ids[i] = null;
            topics[i] = null;
        }
        count = 0;
    }
}
