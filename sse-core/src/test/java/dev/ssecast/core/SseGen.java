package dev.ssecast.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random events for the codec round trips, deterministic from one seed: the same seed gives the same events in the
 * same order, on any machine. Single thread: one generator per property run.
 *
 * <p>Strings are valid Unicode scalar values (never a lone surrogate), weighted towards what codecs get wrong:
 * spaces and colons (the field syntax), NUL (which voids an id), U+2028, U+2029 and U+0085 (line breaks to other
 * definitions of "line", content to this one), astral code points (surrogate pairs in Java, four bytes in UTF-8),
 * and in multi-line values CR, LF and CRLF.
 */
final class SseGen {

    /** The format's line breaks, and characters that other definitions of "line" break at but this one must not. */
    static final String[] BREAKS_AND_LOOKALIKES = {
        "\r", "\n", "\r\n", "\u2028", "\u2029", "\u0085", "\u000B", "\u000C"};

    private static final int[] TRICKY = {0, ' ', ':', 0x2028, 0x2029, 0x0085};
    private static final int SURROGATES = Character.MAX_SURROGATE - Character.MIN_SURROGATE + 1;

    private final SplittableRandom random;

    SseGen(long seed) {
        this.random = new SplittableRandom(seed);
    }

    long nextLong() {
        return random.nextLong();
    }

    /** An event with data, so it always dispatches; id, type and retry each maybe. */
    SseEvent dispatchableEvent() {
        return SseEvent.builder()
                .id(maybe(0.4) ? null : text(1, 12, false, false))
                .type(maybe(0.4) ? null : text(1, 12, true, false))
                .data(multiLineText())
                .retry(retry())
                .build();
    }

    /** One to five events of any kind: some without data (never dispatched), empty ids, comments. */
    List<SseEvent> stream() {
        int size = 1 + random.nextInt(5);
        List<SseEvent> events = new ArrayList<>(size);
        while (events.size() < size) {
            String id = maybe(0.5) ? null : maybe(0.5) ? "" : text(1, 6, false, false);
            String type = maybe(0.6) ? null : text(1, 6, true, false);
            String data = maybe(0.3) ? null : multiLineText();
            Duration retry = retry();
            String comment = maybe(0.7) ? null : multiLineText();
            if (id != null || type != null || data != null || retry != null || comment != null) {
                events.add(SseEvent.builder().id(id).type(type).data(data).retry(retry).comment(comment).build());
            }
        }
        return events;
    }

    /** Up to 30 pieces: four in five a code point of any kind, one in five a line break or lookalike. */
    String multiLineText() {
        int pieces = random.nextInt(31);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            if (random.nextInt(5) == 0) {
                sb.append(BREAKS_AND_LOOKALIKES[random.nextInt(BREAKS_AND_LOOKALIKES.length)]);
            } else {
                sb.appendCodePoint(codePoint(true, true));
            }
        }
        return sb.toString();
    }

    /** Between {@code min} and {@code max} code points (so up to twice as many chars). */
    String text(int min, int max, boolean allowNul, boolean allowCrLf) {
        int length = random.nextInt(min, max + 1);
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.appendCodePoint(codePoint(allowNul, allowCrLf));
        }
        return sb.toString();
    }

    /** A scalar value: mostly printable ASCII, then the tricky ones, controls, the rest of the BMP, astral. */
    int codePoint(boolean allowNul, boolean allowCrLf) {
        while (true) {
            int cp = anyCodePoint();
            if ((allowNul || cp != 0) && (allowCrLf || cp != '\r' && cp != '\n')) {
                return cp;
            }
        }
    }

    private int anyCodePoint() {
        int bucket = random.nextInt(14);
        if (bucket < 6) {
            return random.nextInt(0x20, 0x7F);
        } else if (bucket < 8) {
            return TRICKY[random.nextInt(TRICKY.length)];
        } else if (bucket < 9) {
            return random.nextInt(0x00, 0x20);
        } else if (bucket < 11) {
            int cp = random.nextInt(0x80, 0x10000 - SURROGATES);
            return cp < Character.MIN_SURROGATE ? cp : cp + SURROGATES;
        } else {
            return random.nextInt(Character.MIN_SUPPLEMENTARY_CODE_POINT, Character.MAX_CODE_POINT + 1);
        }
    }

    /** Half the time none; else mostly up to a billion ms, sometimes the extremes 0 and Long.MAX_VALUE ms. */
    private Duration retry() {
        if (maybe(0.5)) {
            return null;
        }
        int kind = random.nextInt(10);
        long millis = kind == 0 ? 0 : kind == 1 ? Long.MAX_VALUE : random.nextLong(1_000_000_001L);
        return Duration.ofMillis(millis);
    }

    private boolean maybe(double probability) {
        return random.nextDouble() < probability;
    }
}
