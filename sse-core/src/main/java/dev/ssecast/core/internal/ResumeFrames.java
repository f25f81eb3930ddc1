package dev.ssecast.core.internal;

import dev.ssecast.core.SseEncoder;
import dev.ssecast.core.SseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.util.List;
import java.util.Set;

/** Builds what a resuming stream gets before live events, from the replay ring. Tick thread only. */
final class ResumeFrames {
    private final ReplayRing ring;
    private final ByteBufAllocator alloc;
    private final HubStats stats;

    ResumeFrames(ReplayRing ring, ByteBufAllocator alloc, HubStats stats) {
        this.ring = ring;
        this.alloc = alloc;
        this.stats = stats;
    }

    /**
     * The frame a resuming subscriber gets before live events: the retained events of its topics after its last
     * event id, a {@code reset} event when that id is unknown or too old, or null when there is nothing to send.
     * The caller owns the result.
     */
    ByteBuf preamble(String lastEventId, Set<String> topics) {
        if (lastEventId == null) {
            return null;
        }
        EventId last = EventId.parse(lastEventId);
        if (!last.isValid()) {
            return reset("unknown-id");
        }
        int from = ring.firstAfter(last);
        if (from == ReplayRing.TOO_OLD) {
            return reset("too-old");
        }
        int payload = 0;
        for (int i = from; i < ring.size(); i++) {
            if (topics.contains(ring.topic(i))) {
                payload += ring.bytes(i).length;
            }
        }
        if (payload == 0) {
            return null;
        }
        ByteBuf frame = ChunkFrames.open(alloc, payload);
        for (int i = from; i < ring.size(); i++) {
            if (topics.contains(ring.topic(i))) {
                frame.writeBytes(ring.bytes(i));
            }
        }
        return ChunkFrames.close(frame);
    }

    /**
     * The frame for a stream whose older events came from the history: {@code loaded} (already filtered to its
     * topics), then the ring's events of its topics from {@code before} on (or, when the ring was empty at the
     * request, those after the newest loaded), or a {@code too-old} reset when the ring evicted them meanwhile.
     * The caller owns the result; null when there is nothing to send.
     */
    ByteBuf afterHistory(List<SseEvent> loaded, EventId last, EventId before, Set<String> topics) {
        int from;
        if (before != null) {
            from = ring.firstAtOrAfter(before);
        } else {
            EventId newest = last;
            for (SseEvent event : loaded) {
                EventId id = EventId.parse(event.id());
                if (id.isValid() && id.isAfter(newest)) {
                    newest = id;
                }
            }
            from = ring.firstAfter(newest);
        }
        if (from == ReplayRing.TOO_OLD) {
            return reset("too-old");
        }
        ByteBuf history = Unpooled.buffer();
        try {
            for (SseEvent event : loaded) {
                SseEncoder.encode(event, history);
            }
            int payload = history.readableBytes();
            for (int i = from; i < ring.size(); i++) {
                if (topics.contains(ring.topic(i))) {
                    payload += ring.bytes(i).length;
                }
            }
            if (payload == 0) {
                return null;
            }
            ByteBuf frame = ChunkFrames.open(alloc, payload).writeBytes(history);
            for (int i = from; i < ring.size(); i++) {
                if (topics.contains(ring.topic(i))) {
                    frame.writeBytes(ring.bytes(i));
                }
            }
            return ChunkFrames.close(frame);
        } finally {
            history.release();
        }
    }

    ByteBuf reset(String reason) {
        stats.resets.increment();
        SseEvent reset = SseEvent.builder().type("reset").data("{\"reason\":\"" + reason + "\"}").build();
        ByteBuf payload = Unpooled.buffer(SseEncoder.encodedLength(reset));
        try {
            SseEncoder.encode(reset, payload);
            ByteBuf frame = ChunkFrames.open(alloc, payload.readableBytes());
            return ChunkFrames.close(frame.writeBytes(payload));
        } finally {
            payload.release();
        }
    }
}
