package dev.ssecast.server;

import java.util.List;

/**
 * An EventSource client under test (a browser's, a Node.js package's, or {@link RawEventSource}) that records, in
 * order, what its page or program would see: {@code open}, {@code error}, {@code message} and {@code reset}
 * events, each message with its {@code lastEventId}. It reconnects on its own, as EventSource does.
 */
interface RecordingEventSource extends AutoCloseable {

    /** One event the client dispatched; {@code data} and {@code lastEventId} are null for open and error. */
    record Seen(String type, String data, String lastEventId) {
    }

    /** A snapshot of everything seen so far, in order. */
    List<Seen> seen();

    /** Closes the client (no more reconnects); idempotent. */
    @Override
    void close();
}
