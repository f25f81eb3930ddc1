package dev.ssecast.server.http;

import dev.ssecast.core.SseEvent;

import java.nio.ByteBuffer;

/**
 * What a published event must be, however it arrives: the rules {@code POST /events} applies to its topic, its
 * event name and its body, for every other way in too (an entry another producer added to the shared Redis
 * Stream). The rules themselves live in {@link Names} (topics, event names) and {@link PublishBody} (the data);
 * this is the one door to them outside the HTTP tier. Immutable and thread-safe. Each check throws an
 * {@link IllegalArgumentException} whose message says what is wrong: the 400's body, or the line a reader logs.
 */
public final class PublishRules {
    private final int maxDataBytes;

    /** @param maxDataBytes the most UTF-8 bytes an event's data may have ({@code --max-event-bytes}), at least 1 */
    public PublishRules(int maxDataBytes) {
        if (maxDataBytes < 1) {
            throw new IllegalArgumentException("max data bytes must be at least 1, was " + maxDataBytes);
        }
        this.maxDataBytes = maxDataBytes;
    }

    /** The most UTF-8 bytes an event's data may have. */
    public int maxDataBytes() {
        return maxDataBytes;
    }

    /** Checks a topic: 1..128 characters of {@code [A-Za-z0-9._:/-]}; returns it. */
    public String topic(String topic) {
        return Names.checkTopic(topic);
    }

    /**
     * The event named {@code eventName} (null: none, a plain {@code message}) with {@code data} as its text.
     *
     * @param data the data's bytes, from its position to its limit; read without moving its position
     */
    public SseEvent event(String eventName, ByteBuffer data) {
        String type = eventName == null ? null : Names.checkEventName(eventName);
        return SseEvent.builder().type(type).data(PublishBody.text(data, maxDataBytes)).build();
    }
}
