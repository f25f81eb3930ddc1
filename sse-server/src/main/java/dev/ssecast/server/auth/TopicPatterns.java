package dev.ssecast.server.auth;

import java.util.ArrayList;
import java.util.List;

/**
 * A set of topics as grants and {@code --public-topics} write them: each entry an exact topic, or a prefix ending
 * in {@code *} ({@code news/*} covers {@code news/eu}, and {@code *} alone covers every topic). Immutable.
 */
final class TopicPatterns {
    static final TopicPatterns NONE = new TopicPatterns(List.of(), List.of());

    private final List<String> exact;
    private final List<String> prefixes;

    private TopicPatterns(List<String> exact, List<String> prefixes) {
        this.exact = exact;
        this.prefixes = prefixes;
    }

    /**
     * The patterns {@code entries}; empty entries are skipped.
     *
     * @throws IllegalArgumentException if an entry has a {@code *} anywhere but at its end
     */
    static TopicPatterns of(List<String> entries) {
        List<String> exact = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        for (String entry : entries) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int star = e.indexOf('*');
            if (star >= 0 && star != e.length() - 1) {
                throw new IllegalArgumentException("a topic pattern is a topic or a prefix ending in *, was " + e);
            }
            if (star < 0) {
                exact.add(e);
            } else {
                prefixes.add(e.substring(0, star));
            }
        }
        return exact.isEmpty() && prefixes.isEmpty() ? NONE : new TopicPatterns(List.copyOf(exact),
                List.copyOf(prefixes));
    }

    /** The comma-separated patterns of an option such as {@code --public-topics}. */
    static TopicPatterns parse(String commaSeparated) {
        return commaSeparated == null ? NONE : of(List.of(commaSeparated.split(",")));
    }

    boolean covers(String topic) {
        if (exact.contains(topic)) {
            return true;
        }
        for (String prefix : prefixes) {
            if (topic.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return this == NONE;
    }
}
