package dev.ssecast.server.http;

import java.util.List;

/**
 * The names a request may carry: topics ({@code 1..128} characters of {@code [A-Za-z0-9._:/-]}, at most 32 per
 * subscription) and event names ({@code 1..64} characters of {@code [A-Za-z0-9._:-]}, except {@code reset}, which
 * the server sends itself). Each check throws an {@link IllegalArgumentException} whose message is the 400's body.
 */
final class Names {
    static final int MAX_TOPICS = 32;
    static final int MAX_TOPIC_LENGTH = 128;
    static final int MAX_EVENT_NAME_LENGTH = 64;
    static final String DEFAULT_TOPIC = "default";
    static final String RESET = "reset";

    private Names() {
    }

    /** Checks the {@code topic} parameters of a subscription (null: none given, which means {@code default}). */
    static List<String> subscriptionTopics(List<String> topics) {
        if (topics == null) {
            return List.of(DEFAULT_TOPIC);
        }
        if (topics.size() > MAX_TOPICS) {
            throw new IllegalArgumentException("at most " + MAX_TOPICS + " topics, was " + topics.size());
        }
        for (String topic : topics) {
            checkTopic(topic);
        }
        return topics;
    }

    /** Checks the {@code topic} parameter of a publish (null: none given, which means {@code default}). */
    static String publishTopic(List<String> topics) {
        if (topics == null) {
            return DEFAULT_TOPIC;
        }
        if (topics.size() != 1) {
            throw new IllegalArgumentException("a publish takes one topic, was " + topics.size());
        }
        return checkTopic(topics.get(0));
    }

    static String checkTopic(String topic) {
        if (!matches(topic, MAX_TOPIC_LENGTH, true)) {
            throw new IllegalArgumentException("topic must be 1.." + MAX_TOPIC_LENGTH
                    + " characters of [A-Za-z0-9._:/-], was " + quote(topic));
        }
        return topic;
    }

    /** Checks the {@code event} parameter of a publish; returns the name, or null when there is none. */
    static String eventName(List<String> names) {
        if (names == null) {
            return null;
        }
        if (names.size() != 1) {
            throw new IllegalArgumentException("a publish takes at most one event name, was " + names.size());
        }
        return checkEventName(names.get(0));
    }

    static String checkEventName(String name) {
        if (!matches(name, MAX_EVENT_NAME_LENGTH, false)) {
            throw new IllegalArgumentException("event must be 1.." + MAX_EVENT_NAME_LENGTH
                    + " characters of [A-Za-z0-9._:-], was " + quote(name));
        }
        if (RESET.equals(name)) {
            throw new IllegalArgumentException("event name \"reset\" is reserved for the server's resume reset");
        }
        return name;
    }

    private static boolean matches(String s, int maxLength, boolean slash) {
        if (s.isEmpty() || s.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '.' || c == '_' || c == ':' || c == '-' || slash && c == '/';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** {@code value} in double quotes for an error message: printable ASCII kept, the rest escaped, cut at 64. */
    static String quote(String value) {
        StringBuilder sb = new StringBuilder("\"");
        int shown = Math.min(value.length(), 64);
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                sb.append(String.format("\\u%04X", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
        if (shown < value.length()) {
            sb.append("... (").append(value.length()).append(" chars)");
        }
        return sb.toString();
    }
}
