package dev.ssecast.bench.load;

import java.util.Arrays;

/** A growable list of {@code long}s used as a FIFO or a bag. Not thread-safe: confined to one event loop. */
final class SeqList {
    private long[] values = new long[64];
    private int head;
    private int tail;

    void add(long value) {
        if (tail == values.length) {
            if (head > values.length / 2) {
                System.arraycopy(values, head, values, 0, tail - head);
                tail -= head;
                head = 0;
            } else {
                values = Arrays.copyOf(values, values.length * 2);
            }
        }
        values[tail++] = value;
    }

    /** Removes and returns the oldest value; call only when not {@link #isEmpty()}. */
    long poll() {
        long value = values[head++];
        if (head == tail) {
            head = 0;
            tail = 0;
        }
        return value;
    }

    boolean isEmpty() {
        return head == tail;
    }

    int size() {
        return tail - head;
    }

    /** Moves every value to {@code to}, oldest first, leaving this list empty. */
    void drainTo(SeqList to) {
        while (!isEmpty()) {
            to.add(poll());
        }
    }

    long[] toArray() {
        return Arrays.copyOfRange(values, head, tail);
    }
}
