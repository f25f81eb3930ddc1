package dev.ssecast.core;

import io.netty.handler.codec.http.HttpResponseStatus;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The application's answer to a stream request matched by {@link SseHandler}: the topics to subscribe and the
 * client's last event id, or a refusal with an HTTP status, or "come back later".
 */
public final class SseSubscription {
    enum Kind { SUBSCRIBE, REFUSE, RETRY_LATER }

    private final Kind kind;
    private final List<String> topics;
    private final String lastEventId;
    private final HttpResponseStatus status;
    private final String message;
    private final Duration retry;

    private SseSubscription(Kind kind, List<String> topics, String lastEventId, HttpResponseStatus status,
                            String message, Duration retry) {
        this.kind = kind;
        this.topics = topics;
        this.lastEventId = lastEventId;
        this.status = status;
        this.message = message;
        this.retry = retry;
    }

    /**
     * Subscribe to {@code topics}, resuming after {@code lastEventId} when it is neither null nor empty (an empty
     * {@code Last-Event-ID} means "no id", as after the server sent {@code id:} with no value).
     *
     * @throws IllegalArgumentException if there is no topic, or a topic is empty
     */
    public static SseSubscription of(List<String> topics, String lastEventId) {
        Objects.requireNonNull(topics, "topics");
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("topics must not be empty");
        }
        for (String topic : topics) {
            if (topic == null || topic.isEmpty()) {
                throw new IllegalArgumentException("a topic must be a non-empty string, was " + topic);
            }
        }
        return new SseSubscription(Kind.SUBSCRIBE, List.copyOf(new TreeSet<>(topics)),
                lastEventId == null || lastEventId.isEmpty() ? null : lastEventId, null, null, null);
    }

    /** Answer the request with {@code status} and a plain-text {@code message}, then close the connection. */
    public static SseSubscription refuse(HttpResponseStatus status, String message) {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
        return new SseSubscription(Kind.REFUSE, List.of(), null, status, message, null);
    }

    /**
     * Answer 200 with a {@code retry:} line and end the stream: an {@code EventSource} gives up for good on any
     * other status, but reconnects after {@code retry} on a stream that ends (for example while draining, or when
     * the server is at its connection limit).
     */
    public static SseSubscription retryLater(Duration retry) {
        Objects.requireNonNull(retry, "retry");
        if (retry.isNegative()) {
            throw new IllegalArgumentException("retry must not be negative, was " + retry);
        }
        return new SseSubscription(Kind.RETRY_LATER, List.of(), null, null, null, retry);
    }

    Kind kind() {
        return kind;
    }

    /** The topics to subscribe, sorted and distinct; empty unless subscribing. */
    public List<String> topics() {
        return topics;
    }

    /** The client's last event id, or null for none. */
    public String lastEventId() {
        return lastEventId;
    }

    HttpResponseStatus status() {
        return status;
    }

    String message() {
        return message;
    }

    Duration retry() {
        return retry;
    }
}
