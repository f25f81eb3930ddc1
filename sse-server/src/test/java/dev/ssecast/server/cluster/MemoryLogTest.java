package dev.ssecast.server.cluster;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;

/** The in-memory log: the broadcaster itself assigns ids and keeps the replay ring. */
class MemoryLogTest extends EventLogContract {
    @Override
    Log open(int ringEvents, int logEvents) {
        SseBroadcaster broadcaster = SseBroadcaster.builder().replay(ringEvents, 1 << 20).build();
        return new Log() {
            @Override
            public SseBroadcaster broadcaster() {
                return broadcaster;
            }

            @Override
            public PublishResult publish(String topic, SseEvent event) {
                return broadcaster.publish(topic, event);
            }

            @Override
            public void close() {
                broadcaster.close();
            }
        };
    }
}
