package dev.ssecast.core.internal;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The tick agent's fault seam: one named point per step of its duty cycle, where a test makes the step fail on
 * command, to prove that the cycle contains the failure. Armed and lifted from any thread; {@link #NONE} (what
 * every real broadcaster runs with) never fires and costs one final field read per point.
 */
final class TickFaults {
    /** The steps of a tick, in the order the cycle runs them. */
    enum Step {
        /** Taking the accepted publishes off the queue, in id order. */
        QUEUE_TAKE,
        /** Encoding one event. */
        ENCODE,
        /** Keeping one encoded event in the replay ring. */
        RING_APPEND,
        /** Building one audience's frame. */
        FRAME_BUILD,
        /** Handing the tick's frames to one event loop. */
        HAND_OFF,
        /** Admitting one stream (its preamble, or the next piece of its resume). */
        ADMISSION,
        /** Admitting one stream whose history load completed. */
        HISTORY_COMPLETION,
        /** Starting a drain. */
        DRAIN,
        /** Calling the tick observer. */
        OBSERVER
    }

    private static final int ALWAYS = Integer.MAX_VALUE;
    private static final Step[] STEPS = Step.values();

    /** Never fires. */
    static final TickFaults NONE = new TickFaults(false);

    private final boolean enabled;
    private final AtomicIntegerArray armed = new AtomicIntegerArray(STEPS.length);
    private final AtomicIntegerArray fired = new AtomicIntegerArray(STEPS.length);

    private TickFaults(boolean enabled) {
        this.enabled = enabled;
    }

    /** A seam that tests arm. */
    static TickFaults armable() {
        return new TickFaults(true);
    }

    /** Called by the agent at {@code step}: throws an {@link InjectedFault} while the step is armed. */
    void at(Step step) {
        if (enabled) {
            fire(step);
        }
    }

    private void fire(Step step) {
        int i = step.ordinal();
        while (true) {
            int remaining = armed.get(i);
            if (remaining == 0) {
                return;
            }
            if (armed.compareAndSet(i, remaining, remaining == ALWAYS ? ALWAYS : remaining - 1)) {
                fired.incrementAndGet(i);
                throw new InjectedFault(step);
            }
        }
    }

    /** Makes the next {@code times} passes through {@code step} fail. */
    void failNext(Step step, int times) {
        armed.set(step.ordinal(), times);
    }

    /** Makes every pass through {@code step} fail until {@link #lift}. */
    void failAlways(Step step) {
        armed.set(step.ordinal(), ALWAYS);
    }

    void lift(Step step) {
        armed.set(step.ordinal(), 0);
    }

    /** How often {@code step} failed on command so far. */
    int fired(Step step) {
        return fired.get(step.ordinal());
    }

    /**
     * The failure a step raises on command: an {@link OutOfMemoryError}, the failure that made this seam
     * necessary (a direct-memory limit reached mid-tick), so containment is proven against an {@link Error}.
     */
    static final class InjectedFault extends OutOfMemoryError {
        private static final long serialVersionUID = 1L;

        InjectedFault(Step step) {
            super("injected fault at " + step);
        }
    }
}
