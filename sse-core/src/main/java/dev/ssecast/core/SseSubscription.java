package dev.ssecast.core;

import io.netty.handler.codec.http.HttpResponseStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
    private final Instant until;
    /** Extra headers of a refusal, as name, value, name, value...; empty otherwise. */
    private final List<String> headers;

    private SseSubscription(Kind kind, List<String> topics, String lastEventId, HttpResponseStatus status,
                            String message, Duration retry, Instant until) {
        this(kind, topics, lastEventId, status, message, retry, until, List.of());
    }

    private SseSubscription(Kind kind, List<String> topics, String lastEventId, HttpResponseStatus status,
                            String message, Duration retry, Instant until, List<String> headers) {
        this.headers = headers;
        this.kind = kind;
        this.topics = topics;
        this.lastEventId = lastEventId;
        this.status = status;
        this.message = message;
        this.retry = retry;
        this.until = until;
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
                lastEventId == null || lastEventId.isEmpty() ? null : lastEventId, null, null, null, null);
    }

    /** Answer the request with {@code status} and a plain-text {@code message}, then close the connection. */
    public static SseSubscription refuse(HttpResponseStatus status, String message) {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
        return new SseSubscription(Kind.REFUSE, List.of(), null, status, message, null, null);
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
        return new SseSubscription(Kind.RETRY_LATER, List.of(), null, null, null, retry, null);
    }

    /**
     * This subscription, ending at {@code deadline}: the stream is ended cleanly, with the handler's
     * {@code retry:} and the end of the response, within about a second after it (the loops check their streams
     * once a second; no timer per stream), so that a stream does not outlive the credentials it was admitted
     * with and its client reconnects with fresh ones, resuming from its {@code Last-Event-ID}. A deadline already
     * past ends the stream as soon as it is admitted.
     *
     * @throws IllegalStateException if this is not a subscription but a refusal
     */
    public SseSubscription until(Instant deadline) {
        Objects.requireNonNull(deadline, "deadline");
        if (kind != Kind.SUBSCRIBE) {
            throw new IllegalStateException("only a subscription can have a deadline, was " + kind);
        }
        return new SseSubscription(kind, topics, lastEventId, null, null, null, deadline);
    }

    /**
     * This refusal with one more response header, such as {@code WWW-Authenticate} on a 401.
     *
     * @throws IllegalStateException if this is not a refusal
     * @throws IllegalArgumentException if the name or value is empty or not printable ASCII
     */
    public SseSubscription withHeader(String name, String value) {
        if (kind != Kind.REFUSE) {
            throw new IllegalStateException("only a refusal can have headers, was " + kind);
        }
        for (String text : new String[] {name, value}) {
            if (text == null || text.isEmpty() || text.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
                throw new IllegalArgumentException("a header name and value must be printable ASCII, was \""
                        + name + ": " + value + "\"");
            }
        }
        List<String> more = new ArrayList<>(headers);
        more.add(name);
        more.add(value);
        return new SseSubscription(kind, topics, lastEventId, status, message, retry, until, List.copyOf(more));
    }

    /** The extra headers of a refusal, as name, value, name, value...; empty otherwise. */
    List<String> headers() {
        return headers;
    }

    /** When the stream is ended, or null for never. */
    public Instant until() {
        return until;
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
