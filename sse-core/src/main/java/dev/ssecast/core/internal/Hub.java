package dev.ssecast.core.internal;

import dev.ssecast.core.SseEvent;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.MpscUnboundedArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The broadcaster's engine behind {@code SseBroadcaster}: the publish and subscribe queues, and the tick thread.
 *
 * <p>Publish is lock-free for hub-assigned ids: a publisher takes a permit (bounding accepted-but-unticked events by
 * the queue capacity), takes the next id, and offers to a bounded JCTools MPSC queue that cannot then be full. Two
 * publishers may enqueue out of id order; the tick thread restores publish order with the gap-free sequence and
 * holds back events behind a publisher that has taken its id but not yet enqueued. Supplied ids (the distributed
 * mode) are checked and enqueued under a lock, since they must arrive in order.
 */
public final class Hub {
    private static final Logger LOG = LoggerFactory.getLogger(Hub.class);

    /** Outcome of {@link #publish}. */
    public enum Outcome { ACCEPTED, QUEUE_FULL, CLOSED }

    private final HubSettings settings;
    private final HubStats stats = new HubStats();
    private final MpscArrayQueue<PendingEvent> published;
    private final MpscUnboundedArrayQueue<Subscription> subscriptions = new MpscUnboundedArrayQueue<>(1024);
    /** Requests for the tick thread other than publishes and subscriptions (a drain); rare. */
    private final MpscUnboundedArrayQueue<TickLoop.Drain> drains = new MpscUnboundedArrayQueue<>(4);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong nextId;
    private final Object suppliedLock = new Object();
    private long suppliedSeq;
    private EventId lastSupplied = EventId.of(0);
    private final TickLoop tickLoop;
    private final Thread thread;
    private final WriteBufferWaterMark waterMark;
    private final LongSupplier clock;
    private volatile boolean running = true;

    public Hub(HubSettings settings) {
        this(settings, System::nanoTime);
    }

    /** A hub reading time from {@code clock} (nanoseconds, like {@link System#nanoTime()}); tests control it. */
    Hub(HubSettings settings, LongSupplier clock) {
        this.settings = settings;
        this.clock = clock;
        this.published = new MpscArrayQueue<>(settings.publishQueue());
        this.nextId = new AtomicLong(settings.firstId());
        this.waterMark = new WriteBufferWaterMark(settings.writeBufferLow(), settings.writeBufferHigh());
        this.tickLoop = new TickLoop(settings, published, subscriptions, inFlight, stats, clock);
        this.thread = new Thread(this::run, "ssecast-tick");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /**
     * Accepts an event for the next tick, or refuses it when {@code publishQueue} events are already waiting.
     * Never blocks (but for the supplied-id lock) and never grows memory past the queue capacity.
     *
     * @param idOut receives the event's id when accepted; a one-element array, may be null
     */
    public Outcome publish(String topic, SseEvent event, String[] idOut) {
        if (inFlight.getAndIncrement() >= settings.publishQueue()) {
            inFlight.decrementAndGet();
            stats.publishRejected.increment();
            return Outcome.QUEUE_FULL;
        }
        // The permit is taken before running is read, and close() clears running before it reads the permits:
        // either this publish sees the close, or the closing thread sees its permit and ticks it out.
        if (!running) {
            inFlight.decrementAndGet();
            return Outcome.CLOSED;
        }
        PendingEvent pending;
        if (settings.suppliedIds()) {
            EventId id = EventId.parse(event.id());
            synchronized (suppliedLock) {
                if (!id.isAfter(lastSupplied)) {
                    inFlight.decrementAndGet();
                    throw new IllegalArgumentException("supplied event ids must increase: id must be after "
                            + lastSupplied + ", was " + (event.id() == null ? "none" : "\"" + event.id() + "\""));
                }
                lastSupplied = id;
                pending = new PendingEvent(suppliedSeq++, id, topic, event);
                published.offer(pending);
            }
        } else {
            if (event.id() != null) {
                inFlight.decrementAndGet();
                throw new IllegalArgumentException("event ids are assigned by the broadcaster; publish the event "
                        + "without an id, was \"" + event.id() + "\"");
            }
            long value = nextId.getAndIncrement();
            EventId id = EventId.of(value);
            pending = new PendingEvent(value - settings.firstId(), id, topic, event.toBuilder().id(id.text()).build());
            published.offer(pending); // cannot fail: a permit was taken and capacity >= permits
        }
        if (idOut != null) {
            idOut[0] = pending.id.text();
        }
        return Outcome.ACCEPTED;
    }

    /**
     * Queues a channel that has been answered with the stream's head for admission at the next tick. Call on the
     * channel's event loop.
     *
     * @param topics      sorted, distinct topics
     * @param lastEventId the client's Last-Event-ID, or null
     */
    public void subscribe(Channel channel, List<String> topics, String lastEventId) {
        channel.config().setWriteBufferWaterMark(waterMark);
        subscriptions.offer(new Subscription(channel, topics, lastEventId));
    }

    /** See {@code SseBroadcaster.startAfter}. */
    public void startAfter(EventId id) {
        if (!settings.suppliedIds()) {
            throw new IllegalStateException("startAfter needs supplied ids; this broadcaster assigns its own");
        }
        synchronized (suppliedLock) {
            if (id.isAfter(lastSupplied)) {
                lastSupplied = id;
            }
        }
    }

    public HubStats stats() {
        return stats;
    }

    public int replaySize() {
        return tickLoop.ring().size();
    }

    private void run() {
        long tickNanos = settings.tick().toNanos();
        long next = clock.getAsLong();
        while (running) {
            long now = clock.getAsLong();
            if (now - next < 0) {
                LockSupport.parkNanos(next - now);
                continue;
            }
            tick(now);
            next += tickNanos;
            if (next - now < 0) {
                next = now + tickNanos; // fell behind: skip the missed ticks rather than burst
            }
        }
        finish();
    }

    /**
     * Delivers every accepted event, then closes the streams. A publisher takes its permit before it reads
     * {@code running}, and holds it until its event is ticked, so ticking until no permit is out loses nothing
     * that {@link #publish} accepted.
     */
    private void finish() {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        do {
            tick(clock.getAsLong());
            Thread.onSpinWait();
        } while (inFlight.get() > 0 && System.nanoTime() - giveUp < 0);
        if (inFlight.get() > 0) {
            LOG.warn("closing with {} accepted events undelivered: a publisher stalled mid-publish", inFlight.get());
        }
        tickLoop.closeAllStreams();
        tickLoop.release();
    }

    /** One tick on the caller's thread; for tests of a hub that was never {@link #start() started}. */
    public void tickNow() {
        if (thread.isAlive()) {
            throw new IllegalStateException("the hub ticks on its own thread");
        }
        doWork(clock.getAsLong());
    }

    /**
     * Ends every stream, spread over {@code spread}: each gets {@code retry:} of {@code retry} plus a random
     * jitter of up to {@code jitter}, then is closed; streams that join from now on are ended the same way at once.
     * The future completes when every stream has been ended.
     */
    public CompletableFuture<Void> drain(Duration spread, Duration retry, Duration jitter) {
        var done = new CompletableFuture<Void>();
        drains.offer(new TickLoop.Drain(spread.toNanos(), retry.toMillis(), jitter.toMillis(), done));
        return done;
    }

    private void doWork(long now) {
        tickLoop.doWork(now);
        // After the tick: an event accepted before drain() reaches the streams before they are ended.
        TickLoop.Drain drain = drains.poll();
        if (drain != null) {
            tickLoop.drain(drain);
        }
    }

    private void tick(long now) {
        try {
            doWork(now);
        } catch (RuntimeException | Error e) {
            LOG.warn("tick failed; continuing with the next tick", e);
        }
    }

    /** Stops the tick thread after one last tick, then closes every stream. Idempotent. */
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        if (!thread.isAlive()) {
            finish();
            return;
        }
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
