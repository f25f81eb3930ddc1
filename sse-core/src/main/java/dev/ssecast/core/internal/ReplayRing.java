package dev.ssecast.core.internal;

import io.netty.buffer.ByteBuf;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The newest events of the hub across all topics, bounded by count and by encoded bytes, oldest evicted first.
 *
 * <p>Single writer and single reader: the tick thread. Only {@link #size()} may be read from other threads.
 * Entries are each event's encoded bytes (not chunk-framed) in one reference-counted direct buffer that the ring
 * owns: a resume or a tick frame takes retained slices or copies of it, never a re-encode, and the ring releases
 * its reference when it evicts the entry or is {@linkplain #release() released}.
 *
 * <p>The ring remembers, per topic, the newest id it evicted, so that a resume is refused as too old only when an
 * event of its own topics was lost: a quiet topic is not reset because other topics were busy. That memory is
 * bounded ({@link #MAX_EVICTED_TOPICS}); topics forgotten past it raise one conservative floor instead.
 */
final class ReplayRing {
    /** Topics whose newest evicted id is remembered exactly; past it the oldest are folded into one floor. */
    static final int MAX_EVICTED_TOPICS = 65_536;

    private final int capacity;
    private final long maxBytes;
    private final EventId[] ids;
    private final String[] topics;
    private final ByteBuf[] bytes;

    private int head; // index of the oldest entry
    private volatile int size;
    private long retainedBytes;
    /** Newest evicted id per topic, least recently evicted first. */
    private final LinkedHashMap<String, EventId> evicted = new LinkedHashMap<>();
    /** The newest evicted id of the topics forgotten from {@link #evicted}; null while none was. */
    private EventId evictedFloor;
    /** The id just before the first event this ring could have held (e.g. first id minus one); null if unknown. */
    private EventId origin;

    ReplayRing(int capacity, long maxBytes, EventId origin) {
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.ids = new EventId[capacity];
        this.topics = new String[capacity];
        this.bytes = new ByteBuf[capacity];
        this.origin = origin;
    }

    /**
     * Appends an event whose id orders after every retained one, evicting the oldest entries to make room. Takes
     * ownership of {@code encoded} (one reference), which it releases when the entry is evicted.
     */
    void append(EventId id, String topic, ByteBuf encoded) {
        int length = encoded.readableBytes();
        int n = size;
        while (n > 0 && (n == capacity || retainedBytes + length > maxBytes)) {
            evictOldest();
            n--;
        }
        int slot = (head + n) % capacity;
        ids[slot] = id;
        topics[slot] = topic;
        bytes[slot] = encoded;
        retainedBytes += length;
        size = n + 1;
    }

    private void evictOldest() {
        String topic = topics[head];
        evicted.remove(topic); // re-inserted last: the map stays ordered by eviction, oldest first
        evicted.put(topic, ids[head]);
        if (evicted.size() > MAX_EVICTED_TOPICS) {
            Iterator<Map.Entry<String, EventId>> oldest = evicted.entrySet().iterator();
            EventId forgotten = oldest.next().getValue();
            oldest.remove();
            if (evictedFloor == null || forgotten.isAfter(evictedFloor)) {
                evictedFloor = forgotten;
            }
        }
        removeOldest();
    }

    private void removeOldest() {
        retainedBytes -= bytes[head].readableBytes();
        bytes[head].release();
        ids[head] = null;
        topics[head] = null;
        bytes[head] = null;
        head = (head + 1) % capacity;
        size = size - 1;
    }

    /** Whether an event of one of {@code streamTopics} with an id after {@code last} has been evicted. */
    boolean evictedAfter(EventId last, Set<String> streamTopics) {
        if (evictedFloor != null && evictedFloor.isAfter(last)) {
            return true;
        }
        if (evicted.isEmpty()) {
            return false;
        }
        for (String topic : streamTopics) {
            EventId newest = evicted.get(topic);
            if (newest != null && newest.isAfter(last)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether events of {@code streamTopics} after {@code last} could exist that this ring cannot account for: it
     * evicted some, or it never held anything as old (it started after {@code last}, as a node that joins a shared
     * stream does). A history (e.g. Redis) then has to supply them.
     */
    boolean needsHistory(EventId last, Set<String> streamTopics) {
        if (evictedAfter(last, streamTopics)) {
            return true;
        }
        if (origin != null) {
            return origin.isAfter(last);
        }
        return size == 0 || ids[head].isAfter(last);
    }

    /** Position (0 = oldest) of the first retained event after {@code last}; {@link #count()} when none is. */
    int firstAfter(EventId last) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ids[(head + mid) % capacity].isAfter(last)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** Sets where the ring starts when it had no origin and holds nothing yet (supplied ids learn it late). */
    void startAfter(EventId id) {
        if (size == 0 && (origin == null || id.isAfter(origin))) {
            origin = id;
        }
    }

    /** The newest retained id, else the origin; null when neither is known. */
    EventId newest() {
        return size == 0 ? origin : ids[(head + size - 1) % capacity];
    }

    /** The oldest retained id, or null when empty. */
    EventId oldest() {
        return size == 0 ? null : ids[head];
    }

    int count() {
        return size;
    }

    EventId id(int position) {
        return ids[(head + position) % capacity];
    }

    String topic(int position) {
        return topics[(head + position) % capacity];
    }

    /** The entry at {@code position}; the ring keeps owning it (retain it to keep it past an eviction). */
    ByteBuf bytes(int position) {
        return bytes[(head + position) % capacity];
    }

    /** Number of retained events; safe to read from any thread. */
    int size() {
        return size;
    }

    /** Releases every entry; the ring is empty afterwards. */
    void release() {
        while (size > 0) {
            removeOldest();
        }
    }
}
