package dev.ssecast.server.net;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open connections per client address ({@link ClientAddress#group()}), for {@code --max-connections-per-ip}.
 * Lock-free: a counter per address, created on the first connection and removed when it falls to zero; a counter
 * at zero is dead and never incremented again, so a connection racing the removal makes a new one. Each
 * connection holds a lease on one counter ({@link #track}); its close gives it back. Thread-safe.
 */
public final class AddressConnections {
    private static final AttributeKey<Lease> LEASE = AttributeKey.valueOf(AddressConnections.class, "lease");

    private final ConcurrentHashMap<InetAddress, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final int max;

    /** @param max connections one address may hold; 0 for no limit (nothing is counted then) */
    public AddressConnections(int max) {
        this.max = max;
    }

    /**
     * Counts {@code channel} under {@code client}, moving it there if it was counted under another address (a
     * proxy's keep-alive connection that now carries another client's request). Call on the channel's event loop.
     */
    public void track(Channel channel, ClientAddress client) {
        if (max == 0) {
            return;
        }
        Lease lease = channel.attr(LEASE).get();
        if (lease != null && lease.address.equals(client.group())) {
            return;
        }
        Lease next = acquire(client.group());
        channel.attr(LEASE).set(next);
        if (lease == null) {
            channel.closeFuture().addListener(closed -> release(channel.attr(LEASE).getAndSet(null)));
        } else {
            release(lease);
        }
        if (!channel.isOpen()) { // closed before the listener could see the new lease
            release(channel.attr(LEASE).getAndSet(null));
        }
    }

    /** Whether {@code channel} is past the limit of its address: it was counted when the address had max open. */
    public boolean isOverLimit(Channel channel) {
        Lease lease = channel.attr(LEASE).get();
        return lease != null && lease.rank > max;
    }

    /** Connections counted under {@code client} now. */
    public int count(ClientAddress client) {
        AtomicInteger count = counts.get(client.group());
        return count == null ? 0 : count.get();
    }

    /** Addresses with a connection open now. */
    public int addresses() {
        return counts.size();
    }

    private Lease acquire(InetAddress address) {
        while (true) {
            AtomicInteger count = counts.get(address);
            if (count == null) {
                AtomicInteger fresh = new AtomicInteger(1);
                if (counts.putIfAbsent(address, fresh) == null) {
                    return new Lease(address, fresh, 1);
                }
                continue;
            }
            int n = count.get();
            if (n == 0) {
                counts.remove(address, count); // dead: help its releaser, then make a new one
            } else if (count.compareAndSet(n, n + 1)) {
                return new Lease(address, count, n + 1);
            }
        }
    }

    private void release(Lease lease) {
        if (lease != null && lease.count.decrementAndGet() == 0) {
            counts.remove(lease.address, lease.count);
        }
    }

    private static final class Lease {
        final InetAddress address;
        final AtomicInteger count;
        /** The address's connections, this one included, when it was counted. */
        final int rank;

        Lease(InetAddress address, AtomicInteger count, int rank) {
            this.address = address;
            this.count = count;
            this.rank = rank;
        }
    }
}
