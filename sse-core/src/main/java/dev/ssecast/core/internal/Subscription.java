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
    /** When the stream ends (epoch milliseconds; {@link Hub#NO_DEADLINE} for never), and its retry then. */
    final long untilMillis;
    final long retryMillis;

    Subscription(Channel channel, List<String> topics, String lastEventId, long untilMillis, long retryMillis) {
        this.channel = channel;
        this.topics = topics;
        this.topicSet = Collections.unmodifiableSet(new LinkedHashSet<>(topics)); // in topic order, for the history
        this.lastEventId = lastEventId;
        this.untilMillis = untilMillis;
        this.retryMillis = retryMillis;
    }

    boolean expired(long nowMillis) {
        return untilMillis <= nowMillis;
    }
}
