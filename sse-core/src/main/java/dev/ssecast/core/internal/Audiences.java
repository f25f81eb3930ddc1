package dev.ssecast.core.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Every audience (a distinct set of topics) and which audiences listen to which topic, with the audiences that
 * got events in the tick under way. Tick thread only.
 */
final class Audiences {
    private final Map<List<String>, Audience> byTopics = new HashMap<>();
    private final Map<String, List<Audience>> byTopic = new HashMap<>();
    private final ArrayList<Integer> freeIds = new ArrayList<>();
    private int nextId;
    private final List<Audience> touched = new ArrayList<>();

    /** The audience of exactly {@code topics} (sorted, distinct), made on first use. */
    Audience of(List<String> topics, long nowNanos) {
        Audience audience = byTopics.get(topics);
        if (audience == null) {
            int id = freeIds.isEmpty() ? nextId++ : freeIds.remove(freeIds.size() - 1);
            audience = new Audience(id, topics, nowNanos);
            byTopics.put(topics, audience);
            for (String topic : topics) {
                byTopic.computeIfAbsent(topic, t -> new ArrayList<>(2)).add(audience);
            }
        }
        return audience;
    }

    /** Event {@code position} of this tick's batch goes to every audience of {@code topic}. */
    void touch(String topic, int position) {
        List<Audience> listeners = byTopic.get(topic);
        if (listeners == null) {
            return;
        }
        for (int a = 0; a < listeners.size(); a++) {
            Audience audience = listeners.get(a);
            if (audience.tickEventCount == 0) {
                touched.add(audience);
            }
            audience.addTickEvent(position);
        }
    }

    /** The audiences that got events this tick, in the order they first did. */
    List<Audience> touched() {
        return touched;
    }

    /** Forgets this tick's events; called at the end of every tick, whatever happened in it. */
    void endTick() {
        for (int i = 0; i < touched.size(); i++) {
            touched.get(i).tickEventCount = 0;
        }
        touched.clear();
    }

    /**
     * Forgets audiences nobody listens to any more, and returns those silent for at least {@code silentNanos}.
     */
    List<Audience> idle(long nowNanos, long silentNanos) {
        List<Audience> idle = new ArrayList<>();
        Iterator<Audience> it = byTopics.values().iterator();
        while (it.hasNext()) {
            Audience audience = it.next();
            if (audience.streams.get() == 0) {
                it.remove();
                for (String topic : audience.topics) {
                    List<Audience> listeners = byTopic.get(topic);
                    listeners.remove(audience);
                    if (listeners.isEmpty()) {
                        byTopic.remove(topic);
                    }
                }
                freeIds.add(audience.id);
            } else if (nowNanos - audience.lastFrameNanos >= silentNanos) {
                idle.add(audience);
            }
        }
        return idle;
    }
}
