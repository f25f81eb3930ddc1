package dev.ssecast.core.internal;

import dev.ssecast.core.SseEncoder;
import dev.ssecast.core.SseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

import java.util.Set;

/**
 * Builds what a stream gets before it joins live frames, without copying event bytes: one chunk whose payload is
 * retained slices of the ring's entries (or of this tick's batch), then the priming {@code id:} line that gives
 * the client a {@code Last-Event-ID} even when no event of its topics came yet. Tick thread only.
 *
 * <p>A piece holds at most {@code budget} bytes of events (the stream's high water mark; one event may exceed it)
 * and fewer than 1024 components, the most a gathering write takes at once.
 */
final class ResumeFrames {
    static final int MAX_EVENTS_PER_PIECE = 1000;

    private final ByteBufAllocator alloc;
    private final int budget;
    private final ByteBuf[] parts = new ByteBuf[MAX_EVENTS_PER_PIECE];
    private int count;
    private int payload;
    /** Published events in the piece built last (a reset not counted), for the deliveries counter. */
    private int lastEvents;
    private boolean reachedNewest;

    ResumeFrames(ByteBufAllocator alloc, int budget) {
        this.alloc = alloc;
        this.budget = budget;
    }

    /**
     * The preamble of a stream that joins live now: {@code head} (taken; a reset event, or null), this tick's
     * events of its topics, and the priming id {@code newest} (null: none known). The caller owns the result.
     */
    ByteBuf join(ByteBuf head, Set<String> topics, TickBatch batch, EventId newest) {
        EventId last = null;
        try {
            for (int i = 0; i < batch.count(); i++) {
                if (topics.contains(batch.topic(i))) {
                    add(batch.bytes(i));
                    last = batch.id(i);
                }
            }
        } catch (RuntimeException | Error e) {
            discard(head);
            throw e;
        }
        return build(head, last, newest);
    }

    /**
     * The next piece of a resume: {@code catchup}'s head, then its topics' ring events after its cursor, and the
     * cursor moved past them. When they reach the ring's newest event, the piece ends with the priming id and the
     * stream joins live with it: {@link #reachedNewest}. The caller owns the result (null: nothing to send).
     */
    ByteBuf next(Catchup catchup, ReplayRing ring, Set<String> topics) {
        int i = ring.firstAfter(catchup.cursor);
        EventId last = catchup.cursor; // what the client's last event id is so far: its own, or the history's
        EventId scanned = catchup.cursor;
        try {
            for (; i < ring.count() && payload < budget && count < MAX_EVENTS_PER_PIECE; i++) {
                scanned = ring.id(i);
                if (topics.contains(ring.topic(i))) {
                    add(ring.bytes(i));
                    last = scanned;
                }
            }
        } catch (RuntimeException | Error e) {
            discard(null);
            throw e;
        }
        ByteBuf head = catchup.head;
        catchup.head = null;
        reachedNewest = i == ring.count();
        ByteBuf piece = build(head, last, reachedNewest ? ring.newest() : null);
        catchup.cursor = scanned;
        return piece;
    }

    /** Whether the piece {@link #next} built last ends the resume: the stream joins live with it. */
    boolean reachedNewest() {
        return reachedNewest;
    }

    /** Published events in the piece built last (loaded, replayed or of this tick); a reset is not one. */
    int lastEvents() {
        return lastEvents;
    }

    /** A {@code reset} event for {@code reason}; the caller owns it. */
    ByteBuf reset(String reason) {
        return encode(SseEvent.builder().type("reset").data("{\"reason\":\"" + reason + "\"}").build());
    }

    /** {@code events} encoded one after another into one buffer; the caller owns it. */
    ByteBuf encodeAll(Iterable<SseEvent> events) {
        int length = 0;
        for (SseEvent event : events) {
            length += SseEncoder.encodedLength(event);
        }
        ByteBuf out = alloc.directBuffer(Math.max(1, length));
        try {
            for (SseEvent event : events) {
                SseEncoder.encode(event, out);
            }
            return out;
        } catch (RuntimeException | Error e) {
            out.release();
            throw e;
        }
    }

    private ByteBuf encode(SseEvent event) {
        ByteBuf out = alloc.directBuffer(SseEncoder.encodedLength(event));
        SseEncoder.encode(event, out);
        return out;
    }

    private void add(ByteBuf entry) {
        parts[count++] = entry.retainedSlice();
        payload += entry.readableBytes();
    }

    /**
     * One chunk: {@code head}, the parts, then {@code id: <newest>} unless the client's last event id after the
     * parts ({@code lastAdded}; null when it has none) already is the newest.
     * Takes {@code head} and the parts whatever happens; null when all of that is empty.
     */
    private ByteBuf build(ByteBuf head, EventId lastAdded, EventId newest) {
        int events = count;
        ByteBuf priming = null;
        CompositeByteBuf piece = null;
        try {
            if (newest != null && (lastAdded == null || newest.isAfter(lastAdded))) {
                priming = encode(SseEvent.builder().id(newest.text()).build());
            }
            int length = payload + (head == null ? 0 : head.readableBytes())
                    + (priming == null ? 0 : priming.readableBytes());
            if (length == 0) {
                lastEvents = 0;
                return null;
            }
            piece = alloc.compositeDirectBuffer(count + 4);
            ByteBuf header = alloc.directBuffer(ChunkFrames.headerLength(length));
            ChunkFrames.writeHeader(header, length);
            piece.addComponent(true, header);
            if (head != null) {
                piece.addComponent(true, head);
                head = null;
            }
            for (int i = 0; i < count; i++) {
                piece.addComponent(true, parts[i]);
                parts[i] = null;
            }
            if (priming != null) {
                piece.addComponent(true, priming);
                priming = null;
            }
            piece.addComponent(true, ChunkFrames.trailer());
            lastEvents = events;
            ByteBuf done = piece;
            piece = null;
            return done;
        } finally {
            if (piece != null) {
                piece.release();
            }
            if (priming != null) {
                priming.release();
            }
            discard(head);
        }
    }

    /** Releases the parts not handed on, and {@code head} when not null. */
    private void discard(ByteBuf head) {
        if (head != null) {
            head.release();
        }
        for (int i = 0; i < count; i++) {
            if (parts[i] != null) {
                parts[i].release();
                parts[i] = null;
            }
        }
        count = 0;
        payload = 0;
    }
}
