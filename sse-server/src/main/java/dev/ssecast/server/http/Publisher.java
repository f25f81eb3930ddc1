package dev.ssecast.server.http;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where {@code POST /events} hands an accepted event: the seam between the HTTP contract and the event log. In
 * memory mode it is the broadcaster and answers at once; a distributed mode answers once its log has the event
 * (for example "XADD, then reply"). The reply is written on the request's event loop when the stage completes,
 * and requests pipelined behind it wait, so responses stay in request order.
 */
@FunctionalInterface
public interface Publisher {
    /**
     * Publishes {@code event} to {@code topic}. Must not block: it runs on an event loop.
     *
     * @return completes with the result; completing exceptionally (or throwing) with an
     *         {@link IllegalArgumentException} answers 400 with its message, with anything else 503
     *         with {@code Retry-After}
     */
    CompletionStage<PublishResult> publish(String topic, SseEvent event);

    /** The memory mode: publishes straight to {@code broadcaster}, which assigns the id. */
    static Publisher of(SseBroadcaster broadcaster) {
        return (topic, event) -> CompletableFuture.completedFuture(broadcaster.publish(topic, event));
    }
}
