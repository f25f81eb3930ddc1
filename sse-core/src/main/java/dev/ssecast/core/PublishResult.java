package dev.ssecast.core;

/**
 * What became of a {@link SseBroadcaster#publish publish}: accepted with its id, or refused without side effects.
 * A refusal is a value, not an exception, so that a server can answer it (503 with {@code Retry-After}).
 */
public final class PublishResult {
    /** The outcome of a publish. */
    public enum Status {
        /** Queued for the next tick; {@link #id()} is the event's id. */
        ACCEPTED,
        /** The publish queue is full: nothing was queued; try again later. */
        QUEUE_FULL,
        /** The broadcaster is closed: nothing was queued. */
        CLOSED
    }

    private static final PublishResult QUEUE_FULL = new PublishResult(Status.QUEUE_FULL, null);
    private static final PublishResult CLOSED = new PublishResult(Status.CLOSED, null);

    private final Status status;
    private final String id;

    private PublishResult(Status status, String id) {
        this.status = status;
        this.id = id;
    }

    /**
     * An accepted publish with its id; for code that fronts another event log (e.g. a Redis Stream) and reports
     * its results the same way.
     */
    public static PublishResult accepted(String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("an accepted publish needs its id, was " + id);
        }
        return new PublishResult(Status.ACCEPTED, id);
    }

    /** A publish refused because the queue is full: nothing was queued. */
    public static PublishResult queueFull() {
        return QUEUE_FULL;
    }

    /** A publish refused because the broadcaster is closed. */
    public static PublishResult closed() {
        return CLOSED;
    }

    public Status status() {
        return status;
    }

    /** Whether the event was queued. */
    public boolean isAccepted() {
        return status == Status.ACCEPTED;
    }

    /** The accepted event's id, as it goes on the wire; null unless accepted. */
    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id == null ? status.toString() : status + "(" + id + ")";
    }
}
