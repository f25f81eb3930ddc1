package dev.ssecast.server.cluster;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseBroadcaster;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Feeds the node's broadcaster from the shared stream, in stream order, with the entry ids as event ids: the
 * only publisher of a broadcaster built with supplied ids. Runs on its own thread ("ssecast-redis-reader"), since
 * {@code XREAD BLOCK} holds its connection.
 *
 * <p>It starts after the stream's last entry at the time it first reaches Redis, and tells the broadcaster so
 * ({@link SseBroadcaster#startAfter}). An entry that cannot become an event is skipped (see
 * {@link RedisStreamLog#decode}) and reading goes on. When Redis goes away, or anything else fails in a cycle,
 * it backs off (100 ms doubling to 2 s) and resumes after the last id it fed, so connected streams lose and
 * repeat nothing that Redis accepted; meanwhile the streams stay open and keep their heartbeats, and
 * {@link #isReading} is false (so {@code /readyz} answers 503) until a cycle succeeds again.
 */
public final class StreamReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamReader.class);
    private static final Duration BLOCK = Duration.ofSeconds(1);
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final RedisStreamLog log;
    private final SseBroadcaster broadcaster;
    private final LongSupplier clock;
    private final Thread thread;
    private final AtomicLong outages = new AtomicLong();
    /** Entries fed to the broadcaster (accepted, so skipped ones excepted). */
    private final AtomicLong fed = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean reading;
    private volatile String lastId;
    private volatile long lagMillis;

    public StreamReader(RedisStreamLog log, SseBroadcaster broadcaster) {
        this(log, broadcaster, System::currentTimeMillis);
    }

    /** @param clock the wall clock in milliseconds, for the lag */
    StreamReader(RedisStreamLog log, SseBroadcaster broadcaster, LongSupplier clock) {
        this.log = log;
        this.broadcaster = broadcaster;
        this.clock = clock;
        this.thread = new Thread(this::run, "ssecast-redis-reader");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Whether the last cycle (read the stream, feed what it held) succeeded: the node follows the shared log. */
    public boolean isReading() {
        return reading;
    }

    /** How long the newest event fed had waited in Redis, in milliseconds. */
    public long lagMillis() {
        return lagMillis;
    }

    /** Times the reader lost Redis, or failed otherwise, while it was reading (and its first failure). */
    public long outages() {
        return outages.get();
    }

    /** Entries fed to the broadcaster so far (skipped ones not counted). */
    long fed() {
        return fed.get();
    }

    /** The id of the last entry fed to the broadcaster (or skipped), or null before it knows where it starts. */
    public String lastId() {
        return lastId;
    }

    private void run() {
        long backoff = MIN_BACKOFF_NANOS;
        StatefulRedisConnection<String, byte[]> connection = null;
        while (running) {
            try {
                if (connection == null) {
                    connection = log.connectReader();
                    connection.setTimeout(BLOCK.multipliedBy(3));
                }
                RedisCommands<String, byte[]> redis = connection.sync();
                if (lastId == null) {
                    List<StreamMessage<String, byte[]>> newest = redis.xrevrange(log.key(), Range.create("-", "+"),
                            Limit.from(1));
                    String start = newest.isEmpty() ? "0-0" : newest.get(0).getId();
                    broadcaster.startAfter(start);
                    lastId = start;
                }
                String after = lastId;
                feed(redis.xread(XReadArgs.Builder.block(BLOCK).count(512),
                        XReadArgs.StreamOffset.from(log.key(), after)));
                if (!reading) {
                    LOG.info("reading stream {} after {}", log.key(), after);
                    reading = true;
                }
                backoff = MIN_BACKOFF_NANOS;
            } catch (RuntimeException | Error failure) {
                boolean unreachable = failure instanceof RedisException;
                if (reading || outages.get() == 0) {
                    outages.incrementAndGet();
                    String from = lastId == null ? "its last entry" : lastId;
                    if (unreachable) {
                        LOG.warn("lost the stream {}: {}; retrying after {} with backoff", log.key(),
                                failure.getMessage(), from);
                    } else {
                        LOG.warn("reading the stream {} failed; retrying after {} with backoff", log.key(), from,
                                failure);
                    }
                }
                reading = false;
                if (connection != null && (!unreachable || !connection.isOpen())) {
                    closeQuietly(connection); // after an unknown failure, start again on a clean connection
                    connection = null;
                }
                LockSupport.parkNanos(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
            }
        }
        if (connection != null) {
            closeQuietly(connection);
        }
    }

    private void closeQuietly(StatefulRedisConnection<String, byte[]> connection) {
        try {
            connection.close();
        } catch (RuntimeException e) {
            LOG.debug("closing the reader's connection to stream {} failed", log.key(), e);
        }
    }

    /** Feeds {@code entries} in order; {@link #lastId} follows each one fed or skipped, so none is read twice. */
    private void feed(List<StreamMessage<String, byte[]>> entries) {
        for (StreamMessage<String, byte[]> entry : entries) {
            RedisStreamLog.Entry decoded = log.decode(entry, true);
            if (decoded == null) {
                lastId = entry.getId(); // skipped, counted and logged: never read it again
                continue;
            }
            PublishResult result;
            while ((result = broadcaster.publish(decoded.topic(), decoded.event())).status()
                    == PublishResult.Status.QUEUE_FULL) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // the tick drains the queue
            }
            if (result.status() == PublishResult.Status.CLOSED) {
                running = false;
                return;
            }
            fed.incrementAndGet();
            lastId = entry.getId();
            lagMillis = Math.max(0, clock.getAsLong() - millis(entry.getId()));
        }
    }

    /** The milliseconds part of an entry id, {@code <ms>-<seq>}. */
    private static long millis(String id) {
        int dash = id.indexOf('-');
        return Long.parseUnsignedLong(dash < 0 ? id : id.substring(0, dash));
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(BLOCK.multipliedBy(3).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
