package dev.ssecast.bench.load;

/**
 * One process's share of the subscribers: {@link LocalNode} in this process, {@link RemoteNode} in a worker
 * process. Called from the coordinating thread only.
 */
interface LoadNode extends AutoCloseable {

    /**
     * Opens connections until {@code total} have been attempted since the node started, at {@code perSecond}
     * connections per second, and returns once each has succeeded or failed (or after {@code timeoutMillis}).
     */
    void open(int total, double perSecond, long timeoutMillis);

    /** The process the node's connections live in. */
    long pid();

    /** Counters now, and the latency histogram since the previous snapshot (or mark). */
    Snapshot snapshot();

    /** Starts a step: only events with at least sequence number {@code firstSeq} count for it from now on. */
    void mark(long firstSeq);

    /** Each connection's losses and disorder, given what the publisher sent. */
    Accounting finish(long finalSeq, Refusals refused);

    /** Closes every connection and ends the node. */
    @Override
    void close();
}
