package dev.ssecast.core.internal;

import io.netty.channel.Channel;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A channel asking to join the hub, from its event loop to the tick thread. */
final class Subscription {
    final Channel channel;
    /** Sorted, distinct: the key of its audience. */
    final List<String> topics;
    final Set<String> topicSet;
    /** The client's last event id, or null for none. */
    final String lastEventId;

    Subscription(Channel channel, List<String> topics, String lastEventId) {
        this.channel = channel;
        this.topics = topics;
        this.topicSet = Collections.unmodifiableSet(new LinkedHashSet<>(topics)); // in topic order, for the history
        this.lastEventId = lastEventId;
    }
}
