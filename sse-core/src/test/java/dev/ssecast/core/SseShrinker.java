package dev.ssecast.core;

import dev.ssecast.core.SseCodecRoundTrip.Case;
import dev.ssecast.core.SseCodecRoundTrip.LineEnds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Makes a failing round-trip case small enough to read: greedily takes the first smaller case that still fails,
 * until none does. Smaller means simpler line ends, fewer events, fewer fields, fewer code points or retry 0, so
 * every step makes progress and the search ends; a budget of checks bounds it too.
 */
final class SseShrinker {

    private static final int MAX_CHECKS = 5_000;
    private static final String[] FIELDS = {"id", "type", "data", "retry", "comment"};

    /** The smallest failing case found, why it fails, and how many steps led there. */
    record Result(Case smallest, String message, int steps) {
    }

    private SseShrinker() {
    }

    /** {@code failure} returns why a case fails, or null if it passes. */
    static Result shrink(Case failing, String message, Function<Case, String> failure) {
        Case current = failing;
        String currentMessage = message;
        int steps = 0;
        int checks = 0;
        boolean shrunk = true;
        while (shrunk && checks < MAX_CHECKS) {
            shrunk = false;
            for (Case candidate : smaller(current)) {
                if (++checks > MAX_CHECKS) {
                    break;
                }
                String candidateMessage = failure.apply(candidate);
                if (candidateMessage != null) {
                    current = candidate;
                    currentMessage = candidateMessage;
                    steps++;
                    shrunk = true;
                    break;
                }
            }
        }
        return new Result(current, currentMessage, steps);
    }

    /** Every case one step smaller than {@code c}, the biggest steps first. */
    static List<Case> smaller(Case c) {
        List<Case> candidates = new ArrayList<>();
        for (LineEnds simpler : LineEnds.values()) {
            if (simpler.ordinal() < c.lineEnds().ordinal()) {
                candidates.add(new Case(c.events(), simpler, c.mixSeed()));
            }
        }
        List<SseEvent> events = c.events();
        for (int i = 0; events.size() > 1 && i < events.size(); i++) {
            List<SseEvent> fewer = new ArrayList<>(events);
            fewer.remove(i);
            candidates.add(new Case(List.copyOf(fewer), c.lineEnds(), c.mixSeed()));
        }
        for (int i = 0; i < events.size(); i++) {
            for (SseEvent smaller : smaller(events.get(i))) {
                List<SseEvent> replaced = new ArrayList<>(events);
                replaced.set(i, smaller);
                candidates.add(new Case(List.copyOf(replaced), c.lineEnds(), c.mixSeed()));
            }
        }
        return candidates;
    }

    /** The event without one field, then with runs of code points cut from a field, then with retry 0. */
    private static List<SseEvent> smaller(SseEvent event) {
        List<SseEvent> candidates = new ArrayList<>();
        for (String field : FIELDS) {
            addIfValid(candidates, event, field, null);
        }
        for (String field : FIELDS) {
            if (!field.equals("retry") && value(event, field) != null) {
                int[] cps = ((String) value(event, field)).codePoints().toArray();
                for (int run = Math.max(1, cps.length / 2); run >= 1; run /= 2) {
                    for (int from = 0; from + run <= cps.length; from += run) {
                        addIfValid(candidates, event, field, without(cps, from, run));
                    }
                }
            }
        }
        if (event.retry() != null && !event.retry().isZero()) {
            addIfValid(candidates, event, "retry", Duration.ZERO);
        }
        return candidates;
    }

    private static String without(int[] cps, int from, int run) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cps.length; i++) {
            if (i < from || i >= from + run) {
                sb.appendCodePoint(cps[i]);
            }
        }
        return sb.toString();
    }

    private static Object value(SseEvent event, String field) {
        return switch (field) {
            case "id" -> event.id();
            case "type" -> event.type();
            case "data" -> event.data();
            case "retry" -> event.retry();
            default -> event.comment();
        };
    }

    /** Adds the event with the field changed, unless that changes nothing or breaks a rule of {@link SseEvent}. */
    private static void addIfValid(List<SseEvent> candidates, SseEvent event, String field, Object value) {
        if (value == null && value(event, field) == null) {
            return;
        }
        SseEvent.Builder b = event.toBuilder();
        switch (field) {
            case "id" -> b.id((String) value);
            case "type" -> b.type((String) value);
            case "data" -> b.data((String) value);
            case "retry" -> b.retry((Duration) value);
            default -> b.comment((String) value);
        }
        try {
            candidates.add(b.build());
        } catch (IllegalArgumentException noFieldLeftOrEmptyType) {
            // not an event: not a candidate
        }
    }
}
