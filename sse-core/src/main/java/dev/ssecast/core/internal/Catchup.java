package dev.ssecast.core.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;

/**
 * A stream resuming from the replay ring: a cursor, not a copy. It gets the ring's events after its cursor one
 * piece at a time, as its channel takes them, and joins its audience's live fan-out in the tick where the cursor
 * reaches the ring's newest event. Its fields are the tick thread's, except {@link #inFlight}, which the
 * channel's loop clears when a piece has been written.
 */
final class Catchup implements ChannelFutureListener {
    final Subscription subscription;
    /** The newest ring id this stream has been given or has skipped (not of its topics). */
    EventId cursor;
    /** Bytes to send before the ring's events (history it loaded), taken by the first piece; else null. */
    ByteBuf head;
    /** A piece is on its way to the channel. */
    volatile boolean inFlight;
    /** When the piece in flight was handed to the loop. */
    long sentNanos;

    Catchup(Subscription subscription, EventId cursor, ByteBuf head) {
        this.subscription = subscription;
        this.cursor = cursor;
        this.head = head;
    }

    Channel channel() {
        return subscription.channel;
    }

    /** The piece in flight was written, or failed (the channel then closes). */
    @Override
    public void operationComplete(ChannelFuture written) {
        inFlight = false;
    }

    /** Releases what the stream still holds; it will get no more pieces. */
    void discard() {
        if (head != null) {
            head.release();
            head = null;
        }
    }
}
