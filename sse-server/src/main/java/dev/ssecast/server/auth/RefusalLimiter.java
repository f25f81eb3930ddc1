package dev.ssecast.server.auth;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Counts 401 and 403 refusals per client address in fixed one-minute windows: from the {@value #LIMIT}th refusal
 * in a window on, that address is over the limit until the window ends. Thread-safe; at most
 * {@value #MAX_ADDRESSES} addresses are tracked (beyond that, windows that ended are swept, else the table is
 * cleared: an attacker with many addresses could only reset, never exhaust, it).
 */
final class RefusalLimiter {
    static final int LIMIT = 20;
    static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
    static final int MAX_ADDRESSES = 100_000;

    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<InetAddress, long[]> windows = new ConcurrentHashMap<>();

    RefusalLimiter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Whether {@code address} was refused {@value #LIMIT} times in its current window. */
    boolean isOver(InetAddress address) {
        long[] window = windows.get(address);
        if (window == null) {
            return false;
        }
        synchronized (window) {
            return nanoClock.getAsLong() - window[0] < WINDOW_NANOS && window[1] >= LIMIT;
        }
    }

    /** Counts one refusal of {@code address}. */
    void refused(InetAddress address) {
        long now = nanoClock.getAsLong();
        if (windows.size() >= MAX_ADDRESSES) {
            windows.values().removeIf(w -> now - w[0] >= WINDOW_NANOS);
            if (windows.size() >= MAX_ADDRESSES) {
                windows.clear();
            }
        }
        long[] window = windows.computeIfAbsent(address, a -> new long[] {now, 0});
        synchronized (window) {
            if (now - window[0] >= WINDOW_NANOS) {
                window[0] = now;
                window[1] = 0;
            }
            window[1]++;
        }
    }
}
