package dev.ssecast.bench.jmh;

import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;

/** A {@link LocalServerChannel} whose accepted children are {@link SinkChannel}s counting into one {@link SinkCount}. */
final class SinkServerChannel extends LocalServerChannel {
    private final SinkCount count;

    SinkServerChannel(SinkCount count) {
        this.count = count;
    }

    @Override
    protected LocalChannel newLocalChannel(LocalChannel peer) {
        return new SinkChannel(this, peer, count);
    }
}
