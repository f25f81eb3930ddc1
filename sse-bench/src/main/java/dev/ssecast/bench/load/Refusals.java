package dev.ssecast.bench.load;

import java.util.Arrays;

/**
 * The publisher's sequence numbers that the server did not accept (refused with 503, failed, or never answered),
 * sorted: no subscriber should receive them, so they are not losses. Immutable.
 */
final class Refusals {
    static final Refusals NONE = new Refusals(new long[0]);

    private final long[] sorted;

    private Refusals(long[] sorted) {
        this.sorted = sorted;
    }

    /** The given sequence numbers, in any order; the array is copied. */
    static Refusals of(long... seqs) {
        long[] copy = seqs.clone();
        Arrays.sort(copy);
        return new Refusals(copy);
    }

    /** How many refused sequence numbers lie in {@code [from, to]}. */
    long countWithin(long from, long to) {
        if (to < from) {
            return 0;
        }
        return upperBound(to) - lowerBound(from);
    }

    /** All of them, sorted; a copy. */
    long[] toArray() {
        return sorted.clone();
    }

    int size() {
        return sorted.length;
    }

    private int lowerBound(long value) {
        int i = Arrays.binarySearch(sorted, value);
        if (i < 0) {
            return -i - 1;
        }
        while (i > 0 && sorted[i - 1] == value) {
            i--;
        }
        return i;
    }

    private int upperBound(long value) {
        int i = Arrays.binarySearch(sorted, value);
        if (i < 0) {
            return -i - 1;
        }
        while (i < sorted.length && sorted[i] == value) {
            i++;
        }
        return i;
    }
}
