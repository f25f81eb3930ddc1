package dev.ssecast.core.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;

/**
 * One subscribed channel's place in its {@link LoopPartition}. Confined to the channel's event loop; it leaves the
 * partition by itself when the channel closes.
 */
final class StreamSlot implements ChannelFutureListener {
    final Channel channel;
    final Audience audience;
    final LoopPartition partition;
    /** Position in the partition's list for this audience; -1 while not listed. */
    int index = -1;
    /** Bytes of the resume frame written ahead of live frames; allowed on top of the queued-bytes bound. */
    int preambleBytes;
    /** When the stream ends (epoch milliseconds; {@link Hub#NO_DEADLINE} for never), and its retry then. */
    final long untilMillis;
    final long retryMillis;

    StreamSlot(Channel channel, Audience audience, LoopPartition partition, long untilMillis, long retryMillis) {
        this.channel = channel;
        this.audience = audience;
        this.partition = partition;
        this.untilMillis = untilMillis;
        this.retryMillis = retryMillis;
    }

    boolean hasDeadline() {
        return untilMillis != Hub.NO_DEADLINE;
    }

    @Override
    public void operationComplete(ChannelFuture closed) {
        partition.remove(this);
    }
}
