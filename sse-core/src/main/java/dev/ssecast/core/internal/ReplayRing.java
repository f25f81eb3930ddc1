package dev.ssecast.core.internal;

/**
 * The newest events of the hub across all topics, bounded by count and by encoded bytes, oldest evicted first.
 *
 * <p>Single writer and single reader: the tick thread. Only {@link #size()} may be read from other threads.
 * Entries hold each event's encoded bytes (not chunk-framed) so that a resume is a copy, never a re-encode.
 */
final class ReplayRing implements EncodedEvents {
    static final int TOO_OLD = -1;

    private final int capacity;
    private final long maxBytes;
    private final EventId[] ids;
    private final String[] topics;
    private final byte[][] bytes;

    private int head; // index of the oldest entry
    private volatile int size;
    private long retainedBytes;
    /** The newest evicted id, null while nothing was evicted. */
    private EventId newestEvicted;

    ReplayRing(int capacity, long maxBytes) {
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.ids = new EventId[capacity];
        this.topics = new String[capacity];
        this.bytes = new byte[capacity][];
    }

    /** Appends an event whose id orders after every retained one, evicting the oldest entries to make room. */
    void append(EventId id, String topic, byte[] encoded) {
        int n = size;
        while (n > 0 && (n == capacity || retainedBytes + encoded.length > maxBytes)) {
            newestEvicted = ids[head];
            retainedBytes -= bytes[head].length;
            ids[head] = null;
            topics[head] = null;
            bytes[head] = null;
            head = (head + 1) % capacity;
            n--;
        }
        int slot = (head + n) % capacity;
        ids[slot] = id;
        topics[slot] = topic;
        bytes[slot] = encoded;
        retainedBytes += encoded.length;
        size = n + 1;
    }

    /**
     * Position (0 = oldest) of the first retained event after {@code last}, {@link #size()} when there is none,
     * or {@link #TOO_OLD} when an event after {@code last} has already been evicted.
     */
    int firstAfter(EventId last) {
        if (newestEvicted != null && newestEvicted.isAfter(last)) {
            return TOO_OLD;
        }
        return search(last, false);
    }

    /**
     * Position of the first retained event at or after {@code first}, or {@link #TOO_OLD} when an event at or
     * after it has been evicted.
     */
    int firstAtOrAfter(EventId first) {
        if (newestEvicted != null && !first.isAfter(newestEvicted)) {
            return TOO_OLD;
        }
        return search(first, true);
    }

    /** Binary search for the first position whose id is after {@code id} (or equal, when {@code inclusive}). */
    private int search(EventId id, boolean inclusive) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            EventId at = ids[(head + mid) % capacity];
            if (at.isAfter(id) || inclusive && !id.isAfter(at)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /**
     * Whether events after {@code last} could exist that this ring cannot account for: it evicted some after
     * {@code last}, or it never held anything as old (it started after them, as a node joining a shared stream
     * does). A history (e.g. Redis) then has to supply them.
     */
    boolean needsHistory(EventId last) {
        if (newestEvicted != null) {
            return newestEvicted.isAfter(last);
        }
        return size == 0 || ids[head].isAfter(last);
    }

    /** The newest retained id, or null when empty. */
    EventId newest() {
        return size == 0 ? null : ids[(head + size - 1) % capacity];
    }

    /** The oldest retained id, or null when empty. */
    EventId oldest() {
        return size == 0 ? null : ids[head];
    }

    @Override
    public int count() {
        return size;
    }

    @Override
    public String topic(int position) {
        return topics[(head + position) % capacity];
    }

    @Override
    public byte[] bytes(int position) {
        return bytes[(head + position) % capacity];
    }

    /** Number of retained events; safe to read from any thread. */
    int size() {
        return size;
    }

}
