package dev.ssecast.core;

import java.time.Duration;
import java.util.Objects;

/**
 * One server-sent event: an immutable value with up to five optional fields, checked once in
 * {@link Builder#build()} so that {@link SseEncoder} can write any instance to the wire without a second look.
 *
 * <p>A {@code null} field is absent from the wire. What each field may hold:
 * <ul>
 *   <li>{@link #id()}: no CR, LF or NUL. The empty string is allowed: it is sent as {@code id:} and resets the
 *       receiver's last event id.</li>
 *   <li>{@link #type()}: no CR or LF, and not empty (an empty {@code event:} field means {@code "message"} to a
 *       receiver; leave the type unset for that).</li>
 *   <li>{@link #data()}: anything; line breaks (CRLF, LF, lone CR) become separate {@code data:} lines, which a
 *       receiver joins with LF, so CRLF and CR arrive as LF.</li>
 *   <li>{@link #retry()}: zero or more, a whole number of milliseconds.</li>
 *   <li>{@link #comment()}: anything; each line becomes its own comment line.</li>
 * </ul>
 * Every string must be well-formed UTF-16 (no lone surrogates), because the wire is UTF-8 and a lone surrogate
 * has no UTF-8 form. An event must set at least one field.
 */
public final class SseEvent {

    private static final int MAX_QUOTED_CHARS = 64;
    private static final Duration MAX_RETRY = Duration.ofMillis(Long.MAX_VALUE);

    private final String id;
    private final String type;
    private final String data;
    private final Duration retry;
    private final String comment;

    private SseEvent(Builder builder) {
        this.id = builder.id;
        this.type = builder.type;
        this.data = builder.data;
        this.retry = builder.retry;
        this.comment = builder.comment;
    }

    /** Returns a builder with no field set. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns an event with only a data field; shorthand for {@code builder().data(data).build()}. */
    public static SseEvent ofData(String data) {
        return builder().data(data).build();
    }

    /** The event id, or {@code null} for no {@code id} field; {@code ""} resets the receiver's last event id. */
    public String id() {
        return id;
    }

    /** The event type, or {@code null} for no {@code event} field (the receiver then uses {@code "message"}). */
    public String type() {
        return type;
    }

    /** The data, or {@code null} for no {@code data} field (a receiver dispatches no event without data). */
    public String data() {
        return data;
    }

    /** The reconnection time to ask of the receiver, or {@code null} for no {@code retry} field. */
    public Duration retry() {
        return retry;
    }

    /** The comment, or {@code null} for none; receivers ignore comments, proxies see traffic. */
    public String comment() {
        return comment;
    }

    /** Returns a builder holding this event's fields. */
    public Builder toBuilder() {
        return new Builder()
                .id(id)
                .type(type)
                .data(data)
                .retry(retry)
                .comment(comment);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SseEvent)) {
            return false;
        }
        SseEvent that = (SseEvent) o;
        return Objects.equals(id, that.id)
                && Objects.equals(type, that.type)
                && Objects.equals(data, that.data)
                && Objects.equals(retry, that.retry)
                && Objects.equals(comment, that.comment);
    }

    @Override
    public int hashCode() {
        int h = Objects.hashCode(id);
        h = 31 * h + Objects.hashCode(type);
        h = 31 * h + Objects.hashCode(data);
        h = 31 * h + Objects.hashCode(retry);
        return 31 * h + Objects.hashCode(comment);
    }

    /** Shows the fields that are set, strings quoted with control characters escaped. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SseEvent{");
        String sep = "";
        if (id != null) {
            sb.append("id=").append(quote(id, Integer.MAX_VALUE));
            sep = ", ";
        }
        if (type != null) {
            sb.append(sep).append("type=").append(quote(type, Integer.MAX_VALUE));
            sep = ", ";
        }
        if (data != null) {
            sb.append(sep).append("data=").append(quote(data, Integer.MAX_VALUE));
            sep = ", ";
        }
        if (retry != null) {
            sb.append(sep).append("retry=").append(retry.toMillis()).append("ms");
            sep = ", ";
        }
        if (comment != null) {
            sb.append(sep).append("comment=").append(quote(comment, Integer.MAX_VALUE));
        }
        return sb.append('}').toString();
    }

    /**
     * Quotes {@code value} for a message: backslash escapes for {@code \n \r \t \\ "}, {@code \}{@code uXXXX} for
     * other control characters, surrogates and Unicode line separators; longer values are cut after
     * {@code maxChars}.
     */
    private static String quote(String value, int maxChars) {
        int shown = Math.min(value.length(), maxChars);
        if (shown < value.length() && isPairAt(value, shown - 1)) {
            shown--; // never cut a surrogate pair in half
        }
        StringBuilder sb = new StringBuilder(shown + 8).append('"');
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                default -> {
                    boolean loneSurrogate = Character.isSurrogate(c) && !isPairAt(value, i) && !isPairAt(value, i - 1);
                    if (c < 0x20 || c == 0x7F || c == 0x85 || c == 0x2028 || c == 0x2029 || loneSurrogate) {
                        sb.append(String.format("\\u%04X", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
        if (shown < value.length()) {
            sb.append("... (").append(value.length()).append(" chars)");
        }
        return sb.toString();
    }

    private static boolean isPairAt(String s, int i) {
        return i >= 0 && i + 1 < s.length()
                && Character.isHighSurrogate(s.charAt(i)) && Character.isLowSurrogate(s.charAt(i + 1));
    }

    /**
     * Collects the fields of an {@link SseEvent}; not thread-safe. Setters accept {@code null} to unset a field;
     * all checks happen in {@link #build()}.
     */
    public static final class Builder {

        private String id;
        private String type;
        private String data;
        private Duration retry;
        private String comment;

        private Builder() {
        }

        /** Sets the id; no CR, LF or NUL; {@code ""} resets the receiver's last event id. */
        public Builder id(String id) {
            this.id = id;
            return this;
        }

        /** Sets the event type; not empty, no CR or LF. */
        public Builder type(String type) {
            this.type = type;
            return this;
        }

        /** Sets the data; any text, line breaks included. */
        public Builder data(String data) {
            this.data = data;
            return this;
        }

        /** Sets the reconnection time; zero or more, whole milliseconds. */
        public Builder retry(Duration retry) {
            this.retry = retry;
            return this;
        }

        /** Sets the comment; any text, each line becomes a comment line. */
        public Builder comment(String comment) {
            this.comment = comment;
            return this;
        }

        /**
         * Returns the event.
         *
         * @throws IllegalArgumentException naming the field, the rule and the value, if a field breaks a rule
         *                                  (see {@link SseEvent}) or no field is set
         */
        public SseEvent build() {
            if (id == null && type == null && data == null && retry == null && comment == null) {
                throw new IllegalArgumentException("an event needs at least one of id, type, data, retry, comment");
            }
            if (id != null) {
                checkChars("id", id, true, true);
            }
            if (type != null) {
                if (type.isEmpty()) {
                    throw new IllegalArgumentException("type must not be empty (an empty event field means "
                            + "\"message\" to a receiver; leave type unset for that), was \"\"");
                }
                checkChars("type", type, true, false);
            }
            if (data != null) {
                checkChars("data", data, false, false);
            }
            if (retry != null) {
                checkRetry(retry);
            }
            if (comment != null) {
                checkChars("comment", comment, false, false);
            }
            return new SseEvent(this);
        }

        private static void checkChars(String field, String value, boolean noLineBreaks, boolean noNul) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (noLineBreaks && (c == '\r' || c == '\n') || noNul && c == '\0') {
                    String rule = noNul ? " must not contain CR, LF or NUL, was " : " must not contain CR or LF, was ";
                    throw new IllegalArgumentException(field + rule + quote(value, MAX_QUOTED_CHARS));
                }
                if (Character.isSurrogate(c)) {
                    if (!isPairAt(value, i)) {
                        throw new IllegalArgumentException(field + " must be well-formed UTF-16 (it is sent as UTF-8)"
                                + ", but has a lone surrogate " + String.format("U+%04X", (int) c) + " at index " + i
                                + ", was " + quote(value, MAX_QUOTED_CHARS));
                    }
                    i++;
                }
            }
        }

        private static void checkRetry(Duration retry) {
            if (retry.isNegative()) {
                throw new IllegalArgumentException("retry must be >= 0, was " + retry);
            }
            if (retry.compareTo(MAX_RETRY) > 0) {
                throw new IllegalArgumentException("retry must be at most " + Long.MAX_VALUE + "ms, was " + retry);
            }
            if (retry.getNano() % 1_000_000 != 0) {
                throw new IllegalArgumentException("retry must be a whole number of milliseconds, was " + retry);
            }
        }
    }
}
