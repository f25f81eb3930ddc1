package dev.ssecast.core.internal;

/** Encoded events in id order, each with its topic: the replay ring, or the tick under way. */
interface EncodedEvents {
    int count();

    String topic(int position);

    byte[] bytes(int position);
}
