package dev.ssecast.core.testing;

import dev.ssecast.core.SseDecoder;
import dev.ssecast.core.SseEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Records what one event stream delivers, for a test to await (after okhttp-sse's {@code EventSourceRecorder}).
 * Thread-safe: the stream's event loop records, the test thread awaits; every wait has a timeout and fails with an
 * {@link AssertionError} that shows what has arrived so far. It fails at once when the stream failed or closed
 * before what it waits for can arrive.
 *
 * <p>{@link #awaitEvent} and {@link #awaitEvents} consume events in arrival order; {@link #assertNoMoreEvents()}
 * checks, without waiting, that nothing arrived beyond the consumed ones; {@link #events()} is all that arrived.
 */
public final class EventRecorder implements SseDecoder.Listener {
    private final Object lock = new Object();
    private final List<SseEvent> events = new ArrayList<>();
    private int consumed;
    private int comments;
    private Duration retry;
    private Throwable failure;
    private boolean closed;

    @Override
    public void onEvent(SseEvent event) {
        synchronized (lock) {
            events.add(event);
            lock.notifyAll();
        }
    }

    @Override
    public void onComment(String comment) {
        synchronized (lock) {
            comments++;
            lock.notifyAll();
        }
    }

    @Override
    public void onRetry(Duration retry) {
        synchronized (lock) {
            this.retry = retry;
            lock.notifyAll();
        }
    }

    /** Records that the stream failed (a bad response head, an unexpected exception); the first cause is kept. */
    public void onFailure(Throwable cause) {
        synchronized (lock) {
            if (failure == null) {
                failure = cause;
            }
            lock.notifyAll();
        }
    }

    /** Records that the stream's connection is gone; nothing is recorded after this. */
    public void onClosed() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
    }

    /** Returns the next unconsumed event, waiting up to {@code timeout} for it. */
    public SseEvent awaitEvent(Duration timeout) {
        return awaitEvents(1, timeout).get(0);
    }

    /** Returns the next {@code count} unconsumed events, waiting up to {@code timeout} for all of them. */
    public List<SseEvent> awaitEvents(int count, Duration timeout) {
        synchronized (lock) {
            await(() -> events.size() - consumed >= count, timeout, count + " more event(s)");
            List<SseEvent> next = List.copyOf(events.subList(consumed, consumed + count));
            consumed += count;
            return next;
        }
    }

    /** Fails if an event arrived beyond those consumed so far; does not wait. */
    public void assertNoMoreEvents() {
        synchronized (lock) {
            if (failure != null) {
                throw new AssertionError("stream failed; " + describe(), failure);
            }
            if (events.size() > consumed) {
                throw new AssertionError("expected no more events, but got "
                        + events.subList(consumed, Math.min(events.size(), consumed + 5)) + "; " + describe());
            }
        }
    }

    /** Waits up to {@code timeout} until at least {@code count} comments (heartbeats) arrived in all. */
    public void awaitComments(int count, Duration timeout) {
        synchronized (lock) {
            await(() -> comments >= count, timeout, count + " comment(s)");
        }
    }

    /** Waits up to {@code timeout} until the stream's connection is gone. */
    public void awaitClosed(Duration timeout) {
        synchronized (lock) {
            await(() -> closed, timeout, "the stream to close");
        }
    }

    /** Waits up to {@code timeout} for a {@code retry:} field and returns the latest one. */
    public Duration awaitRetry(Duration timeout) {
        synchronized (lock) {
            await(() -> retry != null, timeout, "a retry field");
            return retry;
        }
    }

    /** A snapshot of every event recorded, consumed or not, in arrival order. */
    public List<SseEvent> events() {
        synchronized (lock) {
            return List.copyOf(events);
        }
    }

    /** The id of the last event recorded, or null: what a client resumes with as {@code Last-Event-ID}. */
    public String lastEventId() {
        synchronized (lock) {
            for (int i = events.size() - 1; i >= 0; i--) {
                if (events.get(i).id() != null) {
                    return events.get(i).id();
                }
            }
            return null;
        }
    }

    /** Comments (heartbeats) received so far. */
    public int comments() {
        synchronized (lock) {
            return comments;
        }
    }

    /** The latest {@code retry:} received, or null. */
    public Duration retry() {
        synchronized (lock) {
            return retry;
        }
    }

    /** Whether the stream's connection is gone. */
    public boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Waits on the lock, which the caller holds, until {@code done}; a failure, a close or the timeout fail it. */
    private void await(BooleanSupplier done, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (failure != null) {
                throw new AssertionError("stream failed while awaiting " + what + "; " + describe(), failure);
            }
            if (closed) {
                throw new AssertionError("stream closed while awaiting " + what + "; " + describe());
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + "ms awaiting " + what + "; "
                        + describe());
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while awaiting " + what + "; " + describe(), e);
            }
        }
    }

    private String describe() {
        return events.size() + " event(s) received, " + consumed + " consumed, last "
                + (events.isEmpty() ? "none" : events.get(events.size() - 1)) + ", " + comments + " comment(s), retry "
                + retry + (closed ? ", closed" : "");
    }
}
