package dev.ssecast.core.internal;

/**
 * The newest events of the hub across all topics, bounded by count and by encoded bytes, oldest evicted first.
 *
 * <p>Single writer and single reader: the tick thread. Only {@link #size()} may be read from other threads.
 * Entries hold each event's encoded bytes (not chunk-framed) so that a resume is a copy, never a re-encode.
 */
final class ReplayRing {
    static final int TOO_OLD = -1;

    private final int capacity;
    private final long maxBytes;
    private final long[] majors;
    private final long[] minors;
    private final String[] topics;
    private final byte[][] bytes;

    private int head; // index of the oldest entry
    private volatile int size;
    private long retainedBytes;
    private boolean evictedAny;
    private long evictedMajor;
    private long evictedMinor;

    ReplayRing(int capacity, long maxBytes) {
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.majors = new long[capacity];
        this.minors = new long[capacity];
        this.topics = new String[capacity];
        this.bytes = new byte[capacity][];
    }

    /** Appends an event whose id orders after every retained one, evicting the oldest entries to make room. */
    void append(EventId id, String topic, byte[] encoded) {
        int n = size;
        while (n > 0 && (n == capacity || retainedBytes + encoded.length > maxBytes)) {
            evictedAny = true;
            evictedMajor = majors[head];
            evictedMinor = minors[head];
            retainedBytes -= bytes[head].length;
            topics[head] = null;
            bytes[head] = null;
            head = (head + 1) % capacity;
            n--;
        }
        int slot = (head + n) % capacity;
        majors[slot] = id.major();
        minors[slot] = id.minor();
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
        if (evictedAny && EventId.compare(last.major(), last.minor(), evictedMajor, evictedMinor) < 0) {
            return TOO_OLD;
        }
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int slot = (head + mid) % capacity;
            if (EventId.compare(majors[slot], minors[slot], last.major(), last.minor()) > 0) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    String topic(int position) {
        return topics[(head + position) % capacity];
    }

    byte[] bytes(int position) {
        return bytes[(head + position) % capacity];
    }

    /** Number of retained events; safe to read from any thread. */
    int size() {
        return size;
    }

    long retainedBytes() {
        return retainedBytes;
    }
}
