package dev.ssecast.core.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What went wrong in the tick agent's cycles, as state rather than log lines: every failure is counted, and
 * {@value #UNHEALTHY_AFTER} failed cycles in a row make the engine unhealthy until {@link #RECOVERY_NANOS} pass
 * without one. Single writer: the tick thread; {@link #isHealthy} is read from any thread.
 *
 * <p>The first failure of a run is logged with its stack trace, the rest at debug, and the end of the run once, so
 * a failure that repeats every tick does not flood the log.
 */
final class TickFailures {
    static final int UNHEALTHY_AFTER = 3;
    static final long RECOVERY_NANOS = 1_000_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger(TickFailures.class);

    private final HubStats stats;
    private int inThisCycle;
    private int consecutiveCycles;
    private volatile boolean unhealthy;
    private volatile long lastFailureNanos;

    TickFailures(HubStats stats) {
        this.stats = stats;
    }

    /** A step of the cycle failed and was contained; what it could not do was dropped, returned or closed. */
    void failed(TickFaults.Step step, Throwable failure) {
        stats.tickFailures.increment();
        String where = step == null ? "outside its steps (a bug in the agent)" : "at " + step;
        if (inThisCycle++ == 0 && consecutiveCycles == 0) {
            LOG.warn("the tick failed {}; contained, the engine goes on (counted in tick failures)", where, failure);
        } else {
            LOG.debug("the tick failed {} again", where, failure);
        }
    }

    /** Ends a cycle that ran at {@code nowNanos}: a cycle with any failure counts towards unhealthy. */
    void endCycle(long nowNanos) {
        if (inThisCycle > 0) {
            inThisCycle = 0;
            lastFailureNanos = nowNanos;
            if (++consecutiveCycles >= UNHEALTHY_AFTER) {
                unhealthy = true;
            }
        } else {
            if (consecutiveCycles > 0) {
                LOG.info("tick recovered after {} failed cycles", consecutiveCycles);
                consecutiveCycles = 0;
            }
            if (unhealthy && nowNanos - lastFailureNanos >= RECOVERY_NANOS) {
                unhealthy = false;
            }
        }
    }

    /** Tick thread: whether the last cycle failed somewhere (the agent keeps its cadence then). */
    boolean failing() {
        return consecutiveCycles > 0;
    }

    /** False from the third failed cycle in a row until a second passes without a failure. */
    boolean isHealthy(long nowNanos) {
        return !unhealthy || nowNanos - lastFailureNanos >= RECOVERY_NANOS;
    }
}
