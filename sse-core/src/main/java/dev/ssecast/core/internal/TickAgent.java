package dev.ssecast.core.internal;

import dev.ssecast.core.SseEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.jctools.queues.MpscUnboundedArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The broadcaster's one agent, in the shape of Agrona's {@code Agent} and {@code AgentRunner}: it owns the tick
 * thread ("ssecast-tick"), the duty cycle {@link #doWork} and the failure handling of every step, from start to
 * close. Single thread: everything here but {@link #drain}, {@link #startAfter}, {@link #isHealthy} and
 * {@link #close} runs on the tick thread (or the caller of {@link #tickNow}).
 *
 * <p>Each cycle: take the publishes that continue the sequence; encode each event once and keep it in the ring;
 * build one frame per audience that has events (or is due a heartbeat); hand each event loop one task; admit the
 * streams that wait (after the hand-off, so their preamble carries this tick) and move each resume a piece on;
 * start a drain; tell the observer. Every step contains its own failure: an event that cannot be encoded or kept
 * is dropped for every stream alike and the sequence moves past it; an audience whose frame cannot be built, or
 * a loop that cannot be handed its frames, has its streams closed (they resume); a stream that cannot be admitted
 * is closed; a drain that cannot start fails its future. Failures are counted in {@link TickFailures}, which
 * turns three failed cycles in a row into an unhealthy engine.
 */
final class TickAgent {
    private static final Logger LOG = LoggerFactory.getLogger(TickAgent.class);

    private final HubSettings settings;
    private final HubStats stats;
    private final LongSupplier clock;
    private final TickFaults faults;
    private final TickFailures failures;
    private final ByteBufAllocator alloc;
    private final PublishQueue queue;
    private final ReplayRing ring;
    private final Audiences audiences = new Audiences();
    private final Partitions partitions;
    private final Admissions admissions;
    private final TickBatch batch = new TickBatch();
    private final MpscUnboundedArrayQueue<Partitions.Drain> drains = new MpscUnboundedArrayQueue<>(4);
    private final AtomicReference<EventId> startAfter = new AtomicReference<>();
    private final long heartbeatNanos;
    private long nextHeartbeatRound;

    private final Thread thread;
    /**
     * The tick thread while it is parked for want of work ({@link #sleepUntilWork}) or for lagging loops
     * ({@link #awaitLoops}); null while it ticks. {@link #wake} unparks it.
     */
    private volatile Thread sleeping;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean running = true;

    TickAgent(HubSettings settings, PublishQueue queue, HubStats stats, LongSupplier clock, TickFaults faults) {
        this.settings = settings;
        this.queue = queue;
        this.stats = stats;
        this.clock = clock;
        this.faults = faults;
        this.failures = new TickFailures(stats);
        this.alloc = settings.allocator();
        this.ring = new ReplayRing(settings.replayEvents(), settings.replayBytes(),
                settings.suppliedIds() ? null : EventId.of(settings.firstId() - 1));
        this.partitions = new Partitions(stats, settings.maxQueuedBytes(), settings.maxUnwritable().toNanos(),
                faults, this::wake);
        this.admissions = new Admissions(ring, audiences, partitions,
                new ResumeFrames(alloc, settings.writeBufferHigh()), settings, stats, faults, failures, this::wake);
        this.heartbeatNanos = settings.heartbeat().toNanos();
        this.nextHeartbeatRound = clock.getAsLong() + heartbeatNanos / 2;
        this.thread = new Thread(this::run, "ssecast-tick");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    Admissions admissions() {
        return admissions;
    }

    int replaySize() {
        return ring.size();
    }

    /** Any thread: see {@code SseBroadcaster.startAfter}; the ring learns it at the next cycle. */
    void startAfter(EventId id) {
        startAfter.set(id);
        wake();
    }

    /**
     * Any thread, after handing the agent work (a publish, a stream, a drain): wakes the tick thread if it
     * sleeps for want of work. The caller's hand-off is a volatile write or a CAS made before this volatile read,
     * and the sleeper's volatile write of {@link #sleeping} comes before its reads of the work: one of the two
     * sees the other, so the work is never left waiting for the next heartbeat round.
     */
    void wake() {
        Thread sleeper = sleeping;
        if (sleeper != null) {
            LockSupport.unpark(sleeper);
        }
    }

    /** Any thread: false from the third failed cycle in a row until a second passes without a failure. */
    boolean isHealthy() {
        return failures.isHealthy(clock.getAsLong());
    }

    /** Any thread: ends every stream, spread over time; see {@link LoopPartition#drain}. */
    CompletableFuture<Void> drain(long spreadNanos, long retryMillis, long jitterMillis) {
        var done = new CompletableFuture<Void>();
        drains.offer(new Partitions.Drain(spreadNanos, retryMillis, jitterMillis, done));
        wake();
        return done;
    }

    /** One cycle at {@code nowNanos}; returns how much it did (events ticked plus streams worked on). */
    int doWork(long nowNanos) {
        EventId origin = startAfter.getAndSet(null);
        if (origin != null) {
            ring.startAfter(origin);
        }
        try {
            int events = tickEvents(nowNanos);
            int admitted = admissions.doWork(nowNanos, batch);
            startDrains();
            observe(nowNanos);
            return events + admitted;
        } finally {
            batch.clear();
            failures.endCycle(nowNanos);
        }
    }

    /** Takes, encodes, keeps and fans out this tick's events; returns how many were taken. */
    private int tickEvents(long nowNanos) {
        List<PendingEvent> taken;
        try {
            faults.at(TickFaults.Step.QUEUE_TAKE);
            taken = queue.takeInOrder(); // on failure what was drained stays held, in order, for the next tick
        } catch (Throwable failure) {
            failures.failed(TickFaults.Step.QUEUE_TAKE, failure);
            taken = List.of();
        }
        int n = taken.size();
        int kept = 0;
        try {
            for (int i = 0; i < n; i++) {
                kept += keep(taken.get(i)) ? 1 : 0;
            }
        } finally {
            queue.consume(n); // kept or dropped, the sequence moves past each
            stats.published.add(kept);
        }
        try {
            TickFrames frames = buildFrames(nowNanos);
            if (frames != null) {
                partitions.handOff(frames, failures);
            }
        } finally {
            audiences.endTick();
        }
        return n;
    }

    /** Encodes {@code event} once and keeps it in the ring and this tick's batch, or drops it for everyone. */
    private boolean keep(PendingEvent event) {
        ByteBuf bytes = null;
        boolean kept = false;
        TickFaults.Step step = TickFaults.Step.ENCODE;
        try {
            faults.at(step);
            bytes = alloc.directBuffer(SseEncoder.encodedLength(event.event));
            SseEncoder.encode(event.event, bytes);
            step = TickFaults.Step.RING_APPEND;
            faults.at(step);
            batch.reserve();
            ring.append(event.id, event.topic, bytes); // takes our reference; it stores or throws, never half
            kept = true;
            batch.add(event.id, event.topic, bytes.retain()); // cannot fail once reserved
            return true;
        } catch (Throwable failure) {
            if (bytes != null && !kept) {
                bytes.release();
            }
            stats.eventsDropped.increment();
            LOG.warn("event {} of topic {} dropped for every stream: {}", event.id, event.topic, failure.toString());
            failures.failed(step, failure);
            return false;
        }
    }

    private static final byte[] COMMENT = ":\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * One frame per audience that got events, and a shared heartbeat for audiences due one; null when there is
     * nothing to send. An audience whose frame cannot be built gets a null frame: its streams are closed.
     */
    private TickFrames buildFrames(long nowNanos) {
        try {
            for (int i = 0; i < batch.count(); i++) {
                audiences.touch(batch.topic(i), i);
            }
        } catch (Throwable failure) {
            failures.failed(TickFaults.Step.FRAME_BUILD, failure);
            partitions.closeAll(); // who got what of this tick is unknown: every stream resumes
            return null;
        }
        boolean heartbeatRound = nowNanos - nextHeartbeatRound >= 0;
        List<Audience> touched = audiences.touched();
        if (touched.isEmpty() && !heartbeatRound) {
            return null;
        }
        List<Audience> idle = List.of();
        if (heartbeatRound) {
            nextHeartbeatRound = nowNanos + heartbeatNanos / 2;
            idle = audiences.idle(nowNanos, heartbeatNanos / 2);
        }
        int count = touched.size() + idle.size();
        if (count == 0) {
            return null;
        }
        int[] audienceIds = new int[count];
        ByteBuf[] frames = new ByteBuf[count];
        int[] eventCounts = new int[count];
        int f = 0;
        for (Audience audience : touched) {
            audienceIds[f] = audience.id;
            eventCounts[f] = audience.tickEventCount;
            frames[f] = frameOf(audience);
            audience.lastFrameNanos = nowNanos;
            f++;
        }
        if (!idle.isEmpty()) {
            ByteBuf heartbeat = heartbeat();
            if (heartbeat != null && idle.size() > 1) {
                heartbeat.retain(idle.size() - 1); // one reference per place it stands in frames[]
            }
            for (Audience audience : idle) {
                audienceIds[f] = audience.id;
                frames[f] = heartbeat;
                audience.lastFrameNanos = nowNanos;
                f++;
            }
            if (heartbeat == null) {
                count = touched.size(); // no heartbeat this round: nothing is lost, the next round sends one
            }
        }
        return new TickFrames(count, audienceIds, frames, eventCounts, nowNanos);
    }

    /** The audience's events of this tick in one chunk, or null (and the failure counted) if it cannot be built. */
    private ByteBuf frameOf(Audience audience) {
        ByteBuf frame = null;
        try {
            faults.at(TickFaults.Step.FRAME_BUILD);
            int payload = 0;
            for (int e = 0; e < audience.tickEventCount; e++) {
                payload += batch.bytes(audience.tickEvents[e]).readableBytes();
            }
            frame = ChunkFrames.open(alloc, payload);
            for (int e = 0; e < audience.tickEventCount; e++) {
                ByteBuf bytes = batch.bytes(audience.tickEvents[e]);
                frame.writeBytes(bytes, bytes.readerIndex(), bytes.readableBytes());
            }
            return ChunkFrames.close(frame);
        } catch (Throwable failure) {
            if (frame != null) {
                frame.release();
            }
            failures.failed(TickFaults.Step.FRAME_BUILD, failure);
            return null;
        }
    }

    /** A comment, and the newest ticked id, so that an idle stream's last event id stays fresh; or null. */
    private ByteBuf heartbeat() {
        try {
            faults.at(TickFaults.Step.FRAME_BUILD);
            EventId newest = ring.newest();
            byte[] id = newest == null ? new byte[0]
                    : ("id: " + newest.text() + "\n").getBytes(StandardCharsets.US_ASCII);
            byte[] payload = new byte[COMMENT.length + id.length + 1];
            System.arraycopy(COMMENT, 0, payload, 0, COMMENT.length);
            System.arraycopy(id, 0, payload, COMMENT.length, id.length);
            payload[payload.length - 1] = '\n';
            return ChunkFrames.of(alloc, payload);
        } catch (Throwable failure) {
            failures.failed(TickFaults.Step.FRAME_BUILD, failure);
            return null;
        }
    }

    private void startDrains() {
        Partitions.Drain drain;
        while ((drain = drains.poll()) != null) {
            try {
                faults.at(TickFaults.Step.DRAIN);
                // After the tick: an event accepted before drain() reaches the streams before they are ended.
                admissions.drain(drain);
                partitions.drain(drain);
            } catch (Throwable failure) {
                failures.failed(TickFaults.Step.DRAIN, failure);
                drain.done().completeExceptionally(failure);
            }
        }
    }

    private void observe(long nowNanos) {
        try {
            faults.at(TickFaults.Step.OBSERVER);
            settings.tickObserver().accept(clock.getAsLong() - nowNanos);
        } catch (Throwable failure) {
            failures.failed(TickFaults.Step.OBSERVER, failure);
        }
    }

    /**
     * Ticks every {@code tick} while there is work. A cycle that found none, and failed nowhere, is followed by
     * a sleep until work arrives or the next heartbeat round is due, so that an idle broadcaster does not wake
     * 100 times a second; the first event after a sleep is ticked at once, and the ticks after it keep the
     * cadence, so that a burst still shares its writes.
     */
    private void run() {
        long tickNanos = settings.tick().toNanos();
        long next = clock.getAsLong();
        while (running) {
            long now = clock.getAsLong();
            if (now - next < 0) {
                LockSupport.parkNanos(next - now);
                continue;
            }
            if (hasWork() && partitions.lagging()) {
                // A loop still writes an earlier tick: put this one off, so that its events join the next
                // tick's write instead of queueing behind the last. Counted once per tick period put off.
                stats.ticksDeferred.increment();
                awaitLoops(now + tickNanos);
                continue;
            }
            if (cycle(now) == 0 && !failures.failing() && sleepUntilWork()) {
                next = clock.getAsLong(); // what woke it is ticked at once
                continue;
            }
            next += tickNanos;
            if (next - now < 0) {
                next = now + tickNanos; // fell behind: skip the missed ticks rather than burst
            }
        }
        finish();
    }

    /**
     * One cycle; what escapes {@link #doWork} (a bug, since every step contains its own) is counted, not fatal.
     * Returns how much it did, or -1 when something escaped.
     */
    private int cycle(long now) {
        try {
            return doWork(now);
        } catch (Throwable escaped) {
            failures.failed(null, escaped); // null: outside every step
            failures.endCycle(now);
            return -1;
        }
    }

    /** Whether a cycle has something to do, or the agent is to stop; read after {@link #sleeping} is set. */
    private boolean hasWork() {
        return !running || queue.outstanding() > 0 || admissions.hasWork() || !drains.isEmpty()
                || startAfter.get() != null;
    }

    /**
     * Sleeps until {@link #wake} (or {@link #close}) hands the agent work, or the next heartbeat round is due;
     * returns false, at once, when there already is work (a resume under way, an event still held).
     */
    private boolean sleepUntilWork() {
        sleeping = thread;
        try {
            if (hasWork()) {
                return false;
            }
            long now = clock.getAsLong();
            while (!hasWork() && nextHeartbeatRound - now > 0) {
                LockSupport.parkNanos(this, nextHeartbeatRound - now);
                now = clock.getAsLong();
            }
            return true;
        } finally {
            sleeping = null;
        }
    }

    /** Waits until no loop lags (each wakes the agent when it finishes a tick), the deadline, or the close. */
    private void awaitLoops(long deadline) {
        sleeping = thread;
        try {
            long now = clock.getAsLong();
            while (running && partitions.lagging() && deadline - now > 0) {
                LockSupport.parkNanos(this, deadline - now);
                now = clock.getAsLong();
            }
        } finally {
            sleeping = null;
        }
    }

    /** Whether the tick thread is parked for want of work, or waiting for lagging loops; for tests. */
    boolean isAsleep() {
        return sleeping != null;
    }

    /** Runs one cycle on the caller's thread, for a hub that was never started. */
    void tickNow() {
        if (thread.isAlive()) {
            throw new IllegalStateException("the hub ticks on its own thread");
        }
        if (closing.get()) {
            throw new IllegalStateException("the hub is closed");
        }
        doWork(clock.getAsLong());
    }

    /**
     * Delivers every accepted event, then closes the streams. A publisher takes its permit before it reads
     * whether the queue is open, and holds it until its event is ticked, so ticking until no permit is out loses
     * nothing that was accepted.
     */
    private void finish() {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        do {
            cycle(clock.getAsLong());
            Thread.onSpinWait();
        } while (queue.outstanding() > 0 && System.nanoTime() - giveUp < 0);
        if (queue.outstanding() > 0) {
            LOG.warn("closing with {} accepted events undelivered: a publisher stalled mid-publish",
                    queue.outstanding());
        }
        admissions.close();
        partitions.close();
        ring.release();
    }

    /** Stops ticking after delivering what was accepted, then closes every stream. Idempotent and thread-safe. */
    void close() {
        if (!closing.compareAndSet(false, true)) {
            awaitClosed();
            return;
        }
        try {
            queue.close();
            running = false;
            if (thread.getState() == Thread.State.NEW) {
                finish();
            } else {
                LockSupport.unpark(thread);
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closed.countDown();
        }
    }

    private void awaitClosed() {
        try {
            closed.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
