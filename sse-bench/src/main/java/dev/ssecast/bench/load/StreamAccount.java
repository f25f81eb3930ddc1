package dev.ssecast.bench.load;

/**
 * What one SSE connection received. Single writer: the connection's event loop; other threads read it only after
 * the run's accounting has been handed over (see {@link LoadNode#finish}).
 *
 * <p>Events carry the publisher's sequence number and publish time in their data, and the server's id. An event
 * whose id is not greater than the previous event's id is <em>out of order</em>. Losses are counted against the
 * sequence: once the connection has received its first event, every event accepted by the server after that one
 * is expected (see {@link #lost}). Ids compare as their numeric parts in turn, so {@code 42}, Redis's
 * {@code 1718000000000-3} and nchan's {@code 1718000000:3} all order as the server meant.
 */
final class StreamAccount {
    /** No event yet. */
    static final long NONE = -1;

    private long idMajor = NONE;
    private long idMinor;
    private long firstSeq = NONE;
    private long maxSeq = NONE;
    private long received;
    private long outOfOrder;
    /** Sequence numbers skipped so far, less those that arrived late: the running loss estimate. */
    private long gaps;
    /** Events of the current step: sequence at least {@link #stepFirstSeq}. */
    private long stepReceived;
    private long stepFirstSeq = Long.MAX_VALUE;
    private boolean closed;

    /**
     * Counts one event. {@code major} and {@code minor} are the id's first two numeric parts ({@code minor} 0 when
     * there is one, {@code major} {@link #NONE} when there is no id), {@code seq} the publisher's sequence
     * number, or {@link #NONE} when the data carried none.
     *
     * @return whether the event belongs to the current step
     */
    boolean onEvent(long major, long minor, long seq) {
        received++;
        if (major == NONE) {
            // no id: nothing to order by
        } else if (idMajor != NONE && (major < idMajor || (major == idMajor && minor <= idMinor))) {
            outOfOrder++;
        } else {
            idMajor = major;
            idMinor = minor;
        }
        if (seq == NONE) {
            return false;
        }
        if (firstSeq == NONE) {
            firstSeq = seq;
        } else if (seq > maxSeq + 1) {
            gaps += seq - maxSeq - 1;
        } else if (seq < maxSeq && gaps > 0) {
            gaps--; // a late arrival fills a gap counted before
        }
        if (seq > maxSeq) {
            maxSeq = seq;
        }
        if (seq >= stepFirstSeq) {
            stepReceived++;
            return true;
        }
        return false;
    }

    /** Starts a step: from now on, events with a sequence of at least {@code firstSeq} count for it. */
    void mark(long firstSeq) {
        stepFirstSeq = firstSeq;
        stepReceived = 0;
    }

    /** The connection has closed; what it would have received after this is not counted as lost. */
    void close() {
        closed = true;
    }

    boolean closed() {
        return closed;
    }

    long received() {
        return received;
    }

    long outOfOrder() {
        return outOfOrder;
    }

    /**
     * The running loss estimate: sequence numbers skipped so far, less late arrivals. It counts publishes the
     * server refused too; {@link #lost} is the exact figure once the publisher's refusals are known.
     */
    long gaps() {
        return gaps;
    }

    long stepReceived() {
        return stepReceived;
    }

    long firstSeq() {
        return firstSeq;
    }

    long maxSeq() {
        return maxSeq;
    }

    /**
     * Events this connection should have received and did not: those the server accepted from its first event's
     * sequence to {@code finalSeq} (up to its last event's, if it has closed), less those received. A duplicate
     * can hide one loss; a connection that received nothing has lost nothing it can prove.
     *
     * @param refused the publisher's sequence numbers the server refused, which nobody should receive
     */
    long lost(long finalSeq, Refusals refused) {
        if (firstSeq == NONE) {
            return 0;
        }
        long last = closed ? maxSeq : Math.max(finalSeq, maxSeq);
        long expected = last - firstSeq + 1 - refused.countWithin(firstSeq, last);
        return Math.max(0, expected - received);
    }
}
