package dev.ssecast.core;

import dev.ssecast.core.internal.EventId;
import dev.ssecast.core.internal.Hub;
import dev.ssecast.core.internal.HubSettings;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * Broadcasts events to every subscribed stream: publish from any thread, and one timer thread ("ssecast-tick")
 * encodes each tick's events once per audience (a distinct set of topics) into one shared frame, which each event
 * loop writes to its own channels as retained duplicates.
 *
 * <p>Ids increase strictly in publish order across all topics, so one {@code Last-Event-ID} resumes a stream of
 * several topics exactly from the replay ring. By default the broadcaster assigns decimal ids from a sequence that
 * starts at the wall clock in microseconds (so ids keep increasing across restarts); with
 * {@link Builder#suppliedIds()} the publisher supplies them instead (for example Redis Stream entry ids).
 *
 * <p>Streams join through {@link SseHandler}. A broadcaster starts its tick thread when built and stops it on
 * {@link #close()}.
 */
public final class SseBroadcaster implements AutoCloseable {
    private final Hub hub;
    private final Duration tick;

    private SseBroadcaster(Builder builder, long firstId, boolean ticking) {
        this.tick = builder.tick;
        this.hub = new Hub(new HubSettings(builder.tick, builder.heartbeat, builder.replayEvents, builder.replayBytes,
                builder.publishQueue, firstId, builder.suppliedIds, builder.writeBufferLow,
                builder.writeBufferHigh, builder.maxQueuedBytes, builder.maxUnwritable, builder.allocator,
                builder.tickObserver, builder.history));
        if (ticking) {
            hub.start();
        }
    }

    /** A builder with the defaults: tick 10ms, heartbeat 15s, replay 10,000 events / 64 MiB, queue 65,536. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Queues {@code event} for {@code topic}; it reaches subscribers at the next tick. Never blocks (supplied ids
     * take an uncontended lock) and never grows memory past the publish queue's capacity.
     *
     * @param topic a non-empty topic name
     * @param event the event; it must have no id unless ids are {@linkplain Builder#suppliedIds() supplied}, in
     *              which case it must have an id of the form {@link #compareIds} reads, after the previous one
     * @return accepted with the event's id, or refused because the queue is full or the broadcaster closed
     * @throws IllegalArgumentException if the topic is empty, or the event's id breaks the rule above; nothing
     *                                  was queued and the next publish is judged as if this one never happened
     */
    public PublishResult publish(String topic, SseEvent event) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(event, "event");
        if (topic.isEmpty()) {
            throw new IllegalArgumentException("topic must not be empty");
        }
        return hub.publish(topic, event);
    }

    /**
     * Ends every stream gracefully, spread over {@code spread} so that reconnects reach other nodes gradually
     * rather than as one storm: each stream gets {@code retry:} of {@code retry} plus a random jitter of up to
     * {@code jitter}, its response is ended, and its connection closed. Streams that join after this are ended
     * the same way at once. Publishing keeps working for the streams not yet ended.
     *
     * @return completes once every stream has been ended
     */
    public CompletableFuture<Void> drain(Duration spread, Duration retry, Duration jitter) {
        requireNotNegative("spread", spread);
        requireNotNegative("retry", retry);
        requireNotNegative("jitter", jitter);
        return hub.drain(spread, retry, jitter);
    }

    private static void requireNotNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value.toMillis() + "ms");
        }
    }

    /**
     * Compares two event ids in the order the broadcaster delivers them: one or two unsigned decimal parts,
     * {@code <n>} or {@code <n>-<m>} (a Redis Stream entry id), compared part by part; a missing second part is 0.
     *
     * @return negative, zero or positive, like {@link java.util.Comparator#compare}
     * @throws IllegalArgumentException naming the id, when either is not of that form
     */
    public static int compareIds(String a, String b) {
        return EventId.require(a).compareTo(EventId.require(b));
    }

    /**
     * For a broadcaster with {@linkplain Builder#suppliedIds() supplied ids}: the id just before the first event
     * it will be given, such as the last entry of a shared log when the publisher starts reading after it. Streams
     * that join before any event get it as their first {@code id:}, so a client that reconnects before its first
     * event resumes from there instead of losing what was published meanwhile. Ignored unless it is after the
     * newest id supplied so far.
     *
     * @throws IllegalArgumentException if {@code id} is not of the form {@link #compareIds} reads
     * @throws IllegalStateException    if ids are not supplied
     */
    public void startAfter(String id) {
        hub.startAfter(EventId.require(id));
    }

    /** Streams open now. */
    public int openStreams() {
        return hub.stats().openStreams();
    }

    /** Events ticked out so far (accepted events reach this count at the tick that delivers them). */
    public long eventsPublished() {
        return hub.stats().published();
    }

    /** Publishes refused because the queue was full. */
    public long publishRejected() {
        return hub.stats().publishRejected();
    }

    /** Events written to streams so far: the sum over ticks of events times streams that received them. */
    public long deliveries() {
        return hub.stats().deliveries();
    }

    /** Streams closed because they stayed unwritable too long or queued too much. */
    public long slowConsumersClosed() {
        return hub.stats().slowConsumersClosed();
    }

    /** Resumes answered with a {@code reset} event (id unknown or older than the replay window). */
    public long resets() {
        return hub.stats().resets();
    }

    /**
     * Failures the tick contained so far: a step of a tick that threw (an allocation that failed, an observer
     * that threw, a loop that took no task). Each is also logged; what the step could not do was dropped
     * ({@link #eventsDropped()}) or closed, never left half done.
     */
    public long tickFailures() {
        return hub.stats().tickFailures();
    }

    /**
     * Tick periods put off so far, with events (or streams) waiting, because an event loop was still writing an
     * earlier tick: the next tick then carries them, in one write per stream. Rising steadily, it says the loops
     * cannot keep up with the publish rate at one write per tick, and the broadcaster has lengthened its tick to
     * match.
     */
    public long ticksDeferred() {
        return hub.stats().ticksDeferred();
    }

    /** Accepted events that could not be encoded or kept, and so reached no stream; each is logged with its id. */
    public long eventsDropped() {
        return hub.stats().eventsDropped();
    }

    /**
     * Whether the tick works: false from the third tick in a row that had a failure, until a second passes
     * without one. A server answers its readiness probe from it.
     */
    public boolean isHealthy() {
        return hub.isHealthy();
    }

    /** Streams ended because their {@linkplain SseSubscription#until deadline} passed. */
    public long streamsExpired() {
        return hub.stats().streamsExpired();
    }

    /** Events held in the replay ring now. */
    public int replayEvents() {
        return hub.replaySize();
    }

    /** The tick interval. */
    public Duration tick() {
        return tick;
    }

    Hub hub() {
        return hub;
    }

    /**
     * Runs one tick on the caller's thread, for a broadcaster built with {@link Builder#buildWithoutTicking()}:
     * deterministic tests, benchmarks, or an application that drives ticks from its own scheduler. Call it from
     * one thread at a time.
     *
     * @throws IllegalStateException if the broadcaster ticks on its own thread
     */
    public void tickNow() {
        hub.tickNow();
    }

    /** Delivers what was accepted, stops the tick thread and closes every stream. Idempotent. */
    @Override
    public void close() {
        hub.close();
    }

    /** Settings of a {@link SseBroadcaster}; each is validated in {@link #build()}. */
    public static final class Builder {
        private static final Duration MIN_TICK = Duration.ofMillis(1);
        private static final Duration MAX_TICK = Duration.ofSeconds(1);

        private Duration tick = Duration.ofMillis(10);
        private Duration heartbeat = Duration.ofSeconds(15);
        private int replayEvents = 10_000;
        private long replayBytes = 64L << 20;
        private int publishQueue = 65_536;
        private long firstId = -1;
        private boolean suppliedIds;
        private int writeBufferLow = 32 << 10;
        private int writeBufferHigh = 64 << 10;
        private long maxQueuedBytes = 4L << 20;
        private Duration maxUnwritable = Duration.ofSeconds(30);
        private ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
        private LongConsumer tickObserver = nanos -> { };
        private SseHistory history;

        private Builder() {
        }

        /**
         * How often events are drained and fanned out while there are any; within [1ms, 1s]. Default 10ms. An
         * idle broadcaster does not tick: it sleeps until an event, a stream or a drain arrives (which is then
         * ticked at once) or a heartbeat round is due.
         */
        public Builder tick(Duration tick) {
            this.tick = Objects.requireNonNull(tick, "tick");
            return this;
        }

        /** Longest silence on a stream before a comment frame keeps proxies from closing it; within [tick, 1h]. */
        public Builder heartbeat(Duration heartbeat) {
            this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
            return this;
        }

        /** Replay ring capacity: the newest {@code events} across all topics, at most {@code bytes} encoded. */
        public Builder replay(int events, long bytes) {
            this.replayEvents = events;
            this.replayBytes = bytes;
            return this;
        }

        /** Capacity of the publish queue: accepted events not yet ticked; within [1, 2^24]. Default 65,536. */
        public Builder publishQueue(int capacity) {
            this.publishQueue = capacity;
            return this;
        }

        /** First id the broadcaster assigns (default: wall clock in microseconds at build time); at least 1. */
        public Builder firstId(long firstId) {
            this.firstId = firstId;
            return this;
        }

        /**
         * Publishers supply ids instead: each published event carries an id of the form {@code <n>} or
         * {@code <n>-<m>} (unsigned decimal parts, a Redis Stream entry id) after the previous event's id.
         */
        public Builder suppliedIds() {
            this.suppliedIds = true;
            return this;
        }

        /** Each stream's outbound water marks, in bytes: above {@code high} a stream counts as unwritable. */
        public Builder writeBufferWaterMark(int low, int high) {
            this.writeBufferLow = low;
            this.writeBufferHigh = high;
            return this;
        }

        /**
         * When a stream is closed as a slow consumer: when it queues more than {@code maxQueuedBytes} (besides its
         * resume frame), or stays unwritable longer than {@code maxUnwritable}. Defaults 4 MiB and 30s.
         */
        public Builder slowConsumer(long maxQueuedBytes, Duration maxUnwritable) {
            this.maxQueuedBytes = maxQueuedBytes;
            this.maxUnwritable = Objects.requireNonNull(maxUnwritable, "maxUnwritable");
            return this;
        }

        /**
         * Allocator of frames. Default {@link PooledByteBufAllocator#DEFAULT}: its {@code retainedDuplicate()} is
         * recycled, so writing a frame to a stream allocates nothing, where Netty 4.2's default (adaptive)
         * allocator makes a 40-byte duplicate per delivery (docs/benchmarks.md).
         */
        public Builder allocator(ByteBufAllocator allocator) {
            this.allocator = Objects.requireNonNull(allocator, "allocator");
            return this;
        }

        /**
         * Receives each tick's duration in nanoseconds, on the tick thread; it must be quick. One that throws is
         * counted as a tick failure and blocks nothing else.
         */
        public Builder tickObserver(LongConsumer observer) {
            this.tickObserver = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /**
         * Where to load events that a resuming stream missed and the replay ring cannot account for (evicted, or
         * older than the ring itself, as on a node that joined a shared stream later); none by default, in which
         * case such a stream starts with a {@code too-old} reset.
         */
        public Builder history(SseHistory history) {
            this.history = Objects.requireNonNull(history, "history");
            return this;
        }

        /** Validates the settings and starts a broadcaster. */
        public SseBroadcaster build() {
            return build(true);
        }

        /**
         * Validates the settings and returns a broadcaster without its tick thread: nothing is delivered until the
         * caller runs {@link SseBroadcaster#tickNow()}. For deterministic tests and benchmarks.
         */
        public SseBroadcaster buildWithoutTicking() {
            return build(false);
        }

        private SseBroadcaster build(boolean ticking) {
            requireWithin("tick", tick, MIN_TICK, MAX_TICK);
            requireWithin("heartbeat", heartbeat, tick, Duration.ofHours(1));
            requireWithin("replay events", replayEvents, 1, 10_000_000);
            requireWithin("replay bytes", replayBytes, 1024, 1L << 40);
            requireWithin("publish queue", publishQueue, 1, 1 << 24);
            requireWithin("write buffer low water mark", writeBufferLow, 1, Integer.MAX_VALUE);
            requireWithin("write buffer high water mark", writeBufferHigh, writeBufferLow, Integer.MAX_VALUE);
            requireWithin("max queued bytes", maxQueuedBytes, writeBufferHigh, Long.MAX_VALUE);
            requireWithin("max unwritable", maxUnwritable, tick, Duration.ofHours(1));
            long first = firstId == -1 ? System.currentTimeMillis() * 1000L : firstId;
            requireWithin("first id", first, 1, Long.MAX_VALUE / 2);
            return new SseBroadcaster(this, first, ticking);
        }

        private static void requireWithin(String name, Duration value, Duration min, Duration max) {
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be within [" + millis(min) + ", " + millis(max)
                        + "], was " + millis(value));
            }
        }

        private static String millis(Duration d) {
            return d.toNanos() % 1_000_000 == 0 ? d.toMillis() + "ms" : d.toNanos() + "ns";
        }

        private static void requireWithin(String name, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be within [" + min + ", " + max + "], was " + value);
            }
        }
    }
}
