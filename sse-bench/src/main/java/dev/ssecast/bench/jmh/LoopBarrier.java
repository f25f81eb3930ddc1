package dev.ssecast.bench.jmh;

import io.netty.channel.EventLoop;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits until every event loop has run everything submitted to it before the wait began. Single waiter: one thread
 * calls {@link #await}; reusable, and allocation-free once built.
 *
 * <p>An event loop runs the tasks one thread submits in submission order, so a marker task queued after an
 * operation's writes (or after the broadcaster's per-loop fan-out task) runs only once those are done, flushes
 * included. Waiting parks rather than spins: on two cores a spinning waiter takes a core from the loops it waits
 * for.
 */
final class LoopBarrier {
    private final List<EventLoop> loops;
    private final AtomicInteger pending = new AtomicInteger();
    private final Runnable arrive = this::arrive;
    private volatile Thread waiter;

    LoopBarrier(List<EventLoop> loops) {
        this.loops = List.copyOf(loops);
    }

    /**
     * Queues a marker on every loop and parks until all have run, or throws after {@code timeout} of the given
     * {@code unit}.
     */
    void await(long timeout, TimeUnit unit) throws TimeoutException {
        waiter = Thread.currentThread();
        pending.set(loops.size());
        for (int i = 0; i < loops.size(); i++) {
            loops.get(i).execute(arrive);
        }
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (pending.get() > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("event loops did not drain within " + timeout + " " + unit);
            }
            LockSupport.parkNanos(this, left);
        }
        waiter = null;
    }

    private void arrive() {
        if (pending.decrementAndGet() == 0) {
            LockSupport.unpark(waiter);
        }
    }
}
