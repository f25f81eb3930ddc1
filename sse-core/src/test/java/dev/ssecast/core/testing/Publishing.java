package dev.ssecast.core.testing;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import java.time.Duration;

/** Publishing for tests that must not drop an event: a full queue is waited out, never skipped. */
public final class Publishing {
    private Publishing() {
    }

    /**
     * Publishes {@code event} to {@code topic}, retrying while the queue is full (yielding the CPU between tries,
     * as a publisher would back off); returns the accepted id.
     *
     * @throws AssertionError if the broadcaster is closed, or the queue stays full for {@code timeout}
     */
    public static String publishUntilAccepted(SseBroadcaster broadcaster, String topic, SseEvent event,
                                              Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            PublishResult result = broadcaster.publish(topic, event);
            if (result.isAccepted()) {
                return result.id();
            }
            if (result.status() == PublishResult.Status.CLOSED) {
                throw new AssertionError("broadcaster closed while publishing to " + topic);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("publish queue stayed full for " + timeout.toMillis() + "ms");
            }
            Thread.yield();
        }
    }
}
