package dev.ssecast.bench.load;

import java.util.List;

/**
 * A run's final per-connection accounting summed over connections (and nodes): connections that received at least
 * one event, events received, lost and out of order. Immutable.
 */
record Accounting(long connections, long received, long lost, long outOfOrder) {

    static Accounting sum(List<Accounting> parts) {
        long connections = 0;
        long received = 0;
        long lost = 0;
        long outOfOrder = 0;
        for (Accounting a : parts) {
            connections += a.connections;
            received += a.received;
            lost += a.lost;
            outOfOrder += a.outOfOrder;
        }
        return new Accounting(connections, received, lost, outOfOrder);
    }
}
