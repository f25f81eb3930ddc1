package dev.ssecast.core.internal;

import io.netty.buffer.ByteBuf;

/**
 * The frames of one tick, one per audience that has something to send. Immutable once handed to the loops. A
 * null frame means the tick could not build that audience's frame: its streams are closed instead of missing
 * events, and their clients resume from the ring.
 *
 * <p>Ownership: each frame holds one reference per {@link LoopPartition} the tick hands it to; each partition
 * releases its reference after writing its channels their views and duplicates.
 */
final class TickFrames {
    final int count;
    final int[] audienceIds;
    final ByteBuf[] frames;
    /** Events carried by each frame, 0 for a heartbeat; for the deliveries counter. */
    final int[] eventCounts;
    final long nanos;

    TickFrames(int count, int[] audienceIds, ByteBuf[] frames, int[] eventCounts, long nanos) {
        this.count = count;
        this.audienceIds = audienceIds;
        this.frames = frames;
        this.eventCounts = eventCounts;
        this.nanos = nanos;
    }

    void retainAll(int references) {
        for (int i = 0; i < count; i++) {
            if (frames[i] != null) {
                frames[i].retain(references);
            }
        }
    }

    void releaseAll() {
        for (int i = 0; i < count; i++) {
            if (frames[i] != null) {
                frames[i].release();
            }
        }
    }
}
