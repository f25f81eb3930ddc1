package dev.ssecast.core.internal;

import dev.ssecast.core.SseHistory;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The streams a hub test subscribes, each an {@link EmbeddedChannel} (its own event loop, whose tasks run when
 * the test reads it), and the settings those tests build hubs with.
 */
final class Streams {
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    /** Settings for a hub under test: tick 10ms, heartbeat 1s, 1 MiB ring, pooled frames. */
    static HubSettings settings(int replayEvents, int queue, long firstId, boolean suppliedIds, SseHistory history) {
        return new HubSettings(Duration.ofMillis(10), Duration.ofSeconds(1), replayEvents, 1 << 20, queue, firstId,
                suppliedIds, 32 << 10, 64 << 10, 4 << 20, Duration.ofSeconds(30), PooledByteBufAllocator.DEFAULT,
                nanos -> { }, history);
    }

    /** A new stream of {@code topics} (sorted, distinct), queued for admission at the hub's next tick. */
    EmbeddedChannel subscribe(Hub hub, String lastEventId, String... topics) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channels.add(channel);
        hub.subscribe(channel, List.of(topics), lastEventId);
        return channel;
    }

    /** Adds a channel the test subscribes itself, so that it is finished with the others. */
    void add(EmbeddedChannel channel) {
        channels.add(channel);
    }

    /** Runs every stream's pending and due scheduled tasks (a drain's slices, say). */
    void runAll() {
        for (EmbeddedChannel channel : channels) {
            channel.runPendingTasks();
            channel.runScheduledPendingTasks();
        }
    }

    /** Reads and releases what each stream still holds, then finishes it. Call after closing the hub. */
    void finishAll() {
        for (EmbeddedChannel channel : channels) {
            Wire.frames(channel);
            channel.finishAndReleaseAll();
        }
    }
}
