package dev.ssecast.server.net;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket per client address for {@code --publish-rate} and {@code --publish-burst}, kept as the generic
 * cell rate algorithm: one {@code AtomicLong} per address, the time its bucket will be full again, moved forward by
 * one interval per event with a compare-and-set. Memory is bounded: a bucket that is full again is the same as none
 * and is swept when the table reaches {@link #MAX_ADDRESSES}; a new address that finds the table full of busy
 * buckets is refused until one refills. Thread-safe.
 */
public final class PublishRate {
    /** Addresses with a bucket at most. */
    static final int MAX_ADDRESSES = 65_536;

    private final ConcurrentHashMap<InetAddress, AtomicLong> full = new ConcurrentHashMap<>();
    private final long interval;
    private final long tolerance;
    private final LongSupplier nanoClock;

    /**
     * @param perSecond events per second, at least 1
     * @param burst     events in a row after a quiet spell, at least 1
     * @param nanoClock {@link System#nanoTime}, or a test's clock
     */
    public PublishRate(int perSecond, int burst, LongSupplier nanoClock) {
        this.interval = TimeUnit.SECONDS.toNanos(1) / perSecond;
        this.tolerance = interval * (burst - 1L);
        this.nanoClock = nanoClock;
    }

    /**
     * Takes one event's token from {@code client}'s bucket.
     *
     * @return 0 when the event may go, else the whole seconds (at least 1) until a token is back, for
     *         {@code Retry-After}
     */
    public long take(ClientAddress client) {
        long now = nanoClock.getAsLong();
        AtomicLong bucket = full.get(client.group());
        if (bucket == null) {
            if (full.size() >= MAX_ADDRESSES) {
                full.values().removeIf(b -> b.get() - now <= 0);
            }
            if (full.size() >= MAX_ADDRESSES) {
                return 1;
            }
            bucket = full.computeIfAbsent(client.group(), a -> new AtomicLong(now));
        }
        while (true) {
            long tat = bucket.get();
            long start = tat - now > 0 ? tat : now;
            long wait = start - now - tolerance;
            if (wait > 0) {
                return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(wait + TimeUnit.SECONDS.toNanos(1) - 1));
            }
            if (bucket.compareAndSet(tat, start + interval)) {
                return 0;
            }
        }
    }

    /** Addresses with a bucket now. */
    int addresses() {
        return full.size();
    }
}
