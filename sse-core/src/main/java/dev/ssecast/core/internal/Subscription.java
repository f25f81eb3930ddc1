package dev.ssecast.core.internal;

import io.netty.channel.Channel;

import java.util.List;

/** A channel asking to join the hub, from its event loop to the tick thread. */
final class Subscription {
    final Channel channel;
    final List<String> topics;
    final String lastEventId;

    Subscription(Channel channel, List<String> topics, String lastEventId) {
        this.channel = channel;
        this.topics = topics;
        this.lastEventId = lastEventId;
    }
}
