package dev.ssecast.core.internal;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseEvent;
import org.jctools.queues.MpscArrayQueue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Accepted events on their way to the tick: multi-producer (any publisher thread), single consumer (the tick
 * agent). Both sides of the permit that bounds accepted-but-unticked events live here.
 *
 * <p>Publish is lock-free for hub-assigned ids: a publisher takes a permit, takes the next id, and offers to a
 * bounded JCTools MPSC queue that cannot then be full. Two publishers may enqueue out of id order; the consumer
 * restores publish order with the gap-free sequence and holds back events behind a publisher that has taken its
 * id but not yet enqueued. Supplied ids (the distributed mode) are checked and enqueued under an uncontended lock,
 * since they must arrive in order.
 */
final class PublishQueue {
    private static final Comparator<PendingEvent> BY_SEQ = Comparator.comparingLong(e -> e.seq);

    private final int capacity;
    private final boolean suppliedIds;
    private final long firstId;
    private final MpscArrayQueue<PendingEvent> queue;
    private final AtomicInteger permits = new AtomicInteger();
    private final AtomicLong nextId;
    private final HubStats stats;
    private final Object suppliedLock = new Object();
    private long suppliedSeq;
    private EventId lastSupplied = EventId.of(0);
    private volatile boolean open = true;

    /** Consumer side: drained events not yet released, sorted by sequence; and the next sequence to release. */
    private final ArrayList<PendingEvent> held = new ArrayList<>();
    private long nextSeq;

    PublishQueue(int capacity, boolean suppliedIds, long firstId, HubStats stats) {
        this.capacity = capacity;
        this.suppliedIds = suppliedIds;
        this.firstId = firstId;
        this.queue = new MpscArrayQueue<>(capacity);
        this.nextId = new AtomicLong(firstId);
        this.stats = stats;
    }

    /**
     * Accepts an event for the next tick, or refuses it when {@code capacity} events are already waiting. Never
     * blocks (but for the supplied-id lock) and never grows memory past the capacity.
     *
     * @throws IllegalArgumentException if the event's id breaks the id rule; nothing is queued or changed then
     */
    PublishResult publish(String topic, SseEvent event) {
        if (permits.getAndIncrement() >= capacity) {
            permits.decrementAndGet();
            stats.publishRejected.increment();
            return PublishResult.queueFull();
        }
        // The permit is taken before open is read, and close clears open before it reads the permits: either
        // this publish sees the close, or the closing thread sees its permit and ticks it out.
        if (!open) {
            permits.decrementAndGet();
            return PublishResult.closed();
        }
        try {
            return suppliedIds ? offerSupplied(topic, event) : offerAssigned(topic, event);
        } catch (RuntimeException | Error refused) {
            permits.decrementAndGet();
            throw refused;
        }
    }

    private PublishResult offerSupplied(String topic, SseEvent event) {
        EventId id = EventId.parse(event.id());
        if (!id.isValid()) {
            throw new IllegalArgumentException("a supplied event id must be <n> or <n>-<m> (unsigned decimal), was "
                    + (event.id() == null ? "none" : "\"" + event.id() + "\""));
        }
        synchronized (suppliedLock) {
            if (!id.isAfter(lastSupplied)) {
                throw new IllegalArgumentException("supplied event ids must increase: id must be after "
                        + lastSupplied + ", was \"" + event.id() + "\"");
            }
            queue.offer(new PendingEvent(suppliedSeq, id, topic, event)); // cannot fail: a permit was taken
            suppliedSeq++;
            lastSupplied = id;
        }
        return PublishResult.accepted(id.text());
    }

    private PublishResult offerAssigned(String topic, SseEvent event) {
        if (event.id() != null) {
            throw new IllegalArgumentException("event ids are assigned by the broadcaster; publish the event "
                    + "without an id, was \"" + event.id() + "\"");
        }
        long value = nextId.getAndIncrement();
        EventId id = EventId.of(value);
        queue.offer(new PendingEvent(value - firstId, id, topic, event.toBuilder().id(id.text()).build()));
        return PublishResult.accepted(id.text());
    }

    /** See {@code SseBroadcaster.startAfter}: later supplied ids must come after {@code id}. */
    void startAfter(EventId id) {
        synchronized (suppliedLock) {
            if (id.isAfter(lastSupplied)) {
                lastSupplied = id;
            }
        }
    }

    /** Refuses publishes from now on; those that took their permit before are still taken by the consumer. */
    void close() {
        open = false;
    }

    /** Permits taken: events accepted (or being accepted) and not yet consumed. */
    int outstanding() {
        return permits.get();
    }

    /**
     * Consumer: drains the queue and returns the events that continue the sequence, in id order, without
     * consuming them: the caller hands each to {@link #consume} when it is done with it, kept or dropped. If this
     * throws, whatever was drained stays held for the next call.
     */
    List<PendingEvent> takeInOrder() {
        queue.drain(held::add);
        if (held.isEmpty()) {
            return List.of();
        }
        if (held.size() > 1) {
            held.sort(BY_SEQ);
        }
        int n = 0;
        while (n < held.size() && held.get(n).seq == nextSeq + n) {
            n++;
        }
        return held.subList(0, n);
    }

    /**
     * Consumer: the first {@code n} events {@link #takeInOrder} returned are done with (delivered or dropped):
     * the sequence moves past them and their permits are returned.
     */
    void consume(int n) {
        if (n == 0) {
            return;
        }
        held.subList(0, n).clear();
        nextSeq += n;
        permits.addAndGet(-n);
    }
}
