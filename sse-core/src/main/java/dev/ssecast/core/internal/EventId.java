package dev.ssecast.core.internal;

/**
 * Event ids as the hub orders them: one or two unsigned decimal parts, {@code "<major>"} or
 * {@code "<major>-<minor>"} (the form of a Redis Stream entry id), compared part by part as unsigned integers.
 * A missing minor part is 0. Ids are kept as two {@code long}s so that ordering needs no allocation.
 */
public final class EventId implements Comparable<EventId> {
    /** Returned by {@link #parse} for text that is not an id. */
    public static final EventId INVALID = new EventId(-1, -1, "");

    private final long major;
    private final long minor;
    private final String text;

    private EventId(long major, long minor, String text) {
        this.major = major;
        this.minor = minor;
        this.text = text;
    }

    /** An id whose text is the unsigned decimal form of {@code value}. */
    public static EventId of(long value) {
        return new EventId(value, 0, Long.toUnsignedString(value));
    }

    /** Parses {@code text}; returns {@link #INVALID} (never throws) when it is not one or two unsigned parts. */
    public static EventId parse(String text) {
        if (text == null) {
            return INVALID;
        }
        int dash = text.indexOf('-');
        String majorText = dash < 0 ? text : text.substring(0, dash);
        String minorText = dash < 0 ? "0" : text.substring(dash + 1);
        if (!isDigits(majorText) || !isDigits(minorText)) {
            return INVALID;
        }
        try {
            return new EventId(Long.parseUnsignedLong(majorText), Long.parseUnsignedLong(minorText), text);
        } catch (NumberFormatException tooLarge) {
            return INVALID;
        }
    }

    /** Parses {@code text}, which must be an id. @throws IllegalArgumentException naming it, when it is not */
    public static EventId require(String text) {
        EventId id = parse(text);
        if (!id.isValid()) {
            throw new IllegalArgumentException("an event id must be <n> or <n>-<m> (unsigned decimal), was "
                    + (text == null ? "none" : "\"" + text + "\""));
        }
        return id;
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty() || s.length() > 20) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Orders two ids given as parts; negative, zero or positive like {@link Comparable#compareTo}. */
    private static int compare(long major, long minor, long otherMajor, long otherMinor) {
        int c = Long.compareUnsigned(major, otherMajor);
        return c != 0 ? c : Long.compareUnsigned(minor, otherMinor);
    }

    public boolean isValid() {
        return this != INVALID;
    }

    /** The id as it was given or generated, which is what goes on the wire. */
    public String text() {
        return text;
    }

    /** Orders valid ids; {@link #INVALID} orders after every valid id, so check {@link #isValid()} first. */
    @Override
    public int compareTo(EventId other) {
        return compare(major, minor, other.major, other.minor);
    }

    /** The first part: the milliseconds of a Redis Stream entry id. */
    public long major() {
        return major;
    }

    /** Whether this id orders strictly after the other. */
    public boolean isAfter(EventId other) {
        return compare(major, minor, other.major, other.minor) > 0;
    }

    @Override
    public String toString() {
        return this == INVALID ? "INVALID" : text;
    }
}
