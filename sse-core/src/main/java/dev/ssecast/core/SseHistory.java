package dev.ssecast.core;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Where a broadcaster finds events older than its replay ring, for example a Redis Stream shared by several
 * nodes. Asked only when a stream resumes from a {@code Last-Event-ID} that the ring cannot account for: events
 * after it were evicted, or the ring started after it (a node that joined a shared stream later).
 *
 * <p>While the load runs, the stream waits; it then gets the loaded events, the ring's events from
 * {@code beforeId} on, and live events, with no gap and no duplicate. Implementations must not block the caller.
 */
@FunctionalInterface
public interface SseHistory {
    /**
     * Loads the events of {@code topics} whose ids are after {@code afterId} and before {@code beforeId}, in id
     * order, each with its id set.
     *
     * @param afterId  the client's last event id (it parsed as an id)
     * @param beforeId the oldest id the ring holds, or null when the ring is empty: then every event after
     *                 {@code afterId} up to the newest the history holds
     * @param topics   the stream's topics
     * @return the events; or a stage completing with null when events after {@code afterId} are gone from the
     *         history too (the stream then starts with a {@code reset} event); or failing when the history cannot
     *         be read now (the stream is then ended with its {@code retry}, and the client comes back later)
     */
    CompletionStage<List<SseEvent>> eventsBetween(String afterId, String beforeId, Set<String> topics);
}
