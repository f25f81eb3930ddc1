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
    /** Published events in the last frame built (a reset event not counted), for the deliveries counter. */
    private int lastEvents;

    ResumeFrames(ReplayRing ring, ByteBufAllocator alloc, HubStats stats) {
        this.ring = ring;
        this.alloc = alloc;
        this.stats = stats;
    }

    /**
     * What a stream joining in this tick gets before live events. Without a last event id, or with one newer than
     * the newest event: this tick's events of its topics. With one: the retained events of its topics after it
     * (the ring already holds this tick's), or a {@code reset} event and this tick's events when the id is unknown
     * or too old. Null when there is nothing
     * to send; otherwise the caller owns the result.
     */
    ByteBuf preamble(String lastEventId, Set<String> topics, TickBatch tick) {
        lastEvents = 0;
        if (lastEventId == null) {
            return frame(null, topics, tick, 0);
        }
        EventId last = EventId.parse(lastEventId);
        if (!last.isValid()) {
            return reset("unknown-id", topics, tick);
        }
        EventId newest = ring.newest();
        if (newest == null || last.isAfter(newest)) {
            // Newer than anything here (another id space, a restarted node): up to date, so it goes live, and
            // live includes this tick.
            return frame(null, topics, tick, 0);
        }
        int from = ring.firstAfter(last);
        if (from == ReplayRing.TOO_OLD) {
            return reset("too-old", topics, tick);
        }
        return frame(null, topics, ring, from);
    }

    /**
     * The frame for a stream whose older events came from the history: {@code loaded} (already filtered to its
     * topics), then the ring's events of its topics from {@code before} on (or, when the ring was empty at the
     * request, those after the newest loaded), or a {@code too-old} reset when the ring evicted them meanwhile.
     * The caller owns the result; null when there is nothing to send.
     */
    ByteBuf afterHistory(List<SseEvent> loaded, EventId last, EventId before, Set<String> topics, TickBatch tick) {
        lastEvents = 0;
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
            return reset("too-old", topics, tick);
        }
        ByteBuf history = Unpooled.buffer();
        try {
            for (SseEvent event : loaded) {
                SseEncoder.encode(event, history);
            }
            ByteBuf frame = frame(history, topics, ring, from);
            lastEvents += loaded.size();
            return frame;
        } finally {
            history.release();
        }
    }

    /** Published events (loaded, replayed or of this tick) in the frame built last; a reset event is not one. */
    int lastEvents() {
        return lastEvents;
    }

    /** A {@code reset} event for {@code reason}, then this tick's events of {@code topics}. */
    ByteBuf reset(String reason, Set<String> topics, TickBatch tick) {
        stats.resets.increment();
        SseEvent reset = SseEvent.builder().type("reset").data("{\"reason\":\"" + reason + "\"}").build();
        ByteBuf head = Unpooled.buffer(SseEncoder.encodedLength(reset));
        try {
            SseEncoder.encode(reset, head);
            return frame(head, topics, tick, 0);
        } finally {
            head.release();
        }
    }

    /**
     * One chunk: {@code head} (may be null; not released) then the events of {@code topics} in {@code source} from
     * position {@code from} on; null when that is nothing. The caller owns the result.
     */
    private ByteBuf frame(ByteBuf head, Set<String> topics, EncodedEvents source, int from) {
        int payload = head == null ? 0 : head.readableBytes();
        lastEvents = 0;
        for (int i = from; i < source.count(); i++) {
            if (topics.contains(source.topic(i))) {
                payload += source.bytes(i).length;
                lastEvents++;
            }
        }
        if (payload == 0) {
            return null;
        }
        ByteBuf frame = ChunkFrames.open(alloc, payload);
        if (head != null) {
            frame.writeBytes(head, head.readerIndex(), head.readableBytes());
        }
        for (int i = from; i < source.count(); i++) {
            if (topics.contains(source.topic(i))) {
                frame.writeBytes(source.bytes(i));
            }
        }
        return ChunkFrames.close(frame);
    }
}
