package dev.ssecast.server.cluster;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseBroadcaster;
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

/**
 * Feeds the node's broadcaster from the shared stream, in stream order, with the entry ids as event ids: the
 * only publisher of a broadcaster built with supplied ids. Runs on its own thread ("ssecast-redis-reader"), since
 * {@code XREAD BLOCK} holds its connection.
 *
 * <p>It starts after the stream's last entry at the time it first reaches Redis. When Redis goes away it backs
 * off (100 ms doubling to 2 s) and resumes after the last id it fed, so connected streams lose and repeat
 * nothing that Redis accepted; meanwhile the streams stay open and keep their heartbeats.
 */
public final class StreamReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamReader.class);
    private static final Duration BLOCK = Duration.ofSeconds(1);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final RedisStreamLog log;
    private final SseBroadcaster broadcaster;
    private final Thread thread;
    private final AtomicLong outages = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean reading;
    private volatile String lastId;
    private volatile long lagMillis;

    public StreamReader(RedisStreamLog log, SseBroadcaster broadcaster) {
        this.log = log;
        this.broadcaster = broadcaster;
        this.thread = new Thread(this::run, "ssecast-redis-reader");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Whether the last read of the stream succeeded: the node is up to date with the shared log. */
    public boolean isReading() {
        return reading;
    }

    /** How long the newest event fed had waited in Redis, in milliseconds. */
    public long lagMillis() {
        return lagMillis;
    }

    /** Times the reader lost Redis. */
    public long outages() {
        return outages.get();
    }

    /** The id of the last entry fed to the broadcaster, or null before the first. */
    public String lastId() {
        return lastId;
    }

    private void run() {
        long backoff = TimeUnit.MILLISECONDS.toNanos(100);
        StatefulRedisConnection<String, String> connection = null;
        while (running) {
            try {
                if (connection == null) {
                    connection = log.connectReader();
                    connection.setTimeout(BLOCK.multipliedBy(3));
                }
                RedisCommands<String, String> redis = connection.sync();
                if (lastId == null) {
                    List<StreamMessage<String, String>> newest = redis.xrevrange(log.key(),
                            io.lettuce.core.Range.create("-", "+"), io.lettuce.core.Limit.from(1));
                    lastId = newest.isEmpty() ? "0-0" : newest.get(0).getId();
                }
                List<StreamMessage<String, String>> entries = redis.xread(
                        XReadArgs.Builder.block(BLOCK).count(512), XReadArgs.StreamOffset.from(log.key(), lastId));
                if (!reading) {
                    LOG.info("reading stream {} after {}", log.key(), lastId);
                    reading = true;
                }
                backoff = TimeUnit.MILLISECONDS.toNanos(100);
                feed(entries);
            } catch (RedisException unreachable) {
                if (reading || outages.get() == 0) {
                    outages.incrementAndGet();
                    LOG.warn("lost the stream {}: {}; retrying with backoff", log.key(), unreachable.getMessage());
                }
                reading = false;
                if (connection != null && !connection.isOpen()) {
                    connection = null;
                }
                LockSupport.parkNanos(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
            }
        }
        if (connection != null) {
            connection.close();
        }
    }

    private void feed(List<StreamMessage<String, String>> entries) {
        for (StreamMessage<String, String> entry : entries) {
            String topic = entry.getBody().get(RedisStreamLog.TOPIC);
            if (topic == null || topic.isEmpty()) {
                lastId = entry.getId(); // not ours: skip it, but never read it again
                continue;
            }
            PublishResult result;
            while ((result = broadcaster.publish(topic, RedisStreamLog.toEvent(entry))).status()
                    == PublishResult.Status.QUEUE_FULL) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // the tick drains the queue
            }
            if (result.status() == PublishResult.Status.CLOSED) {
                running = false;
                return;
            }
            lastId = entry.getId();
            lagMillis = Math.max(0, System.currentTimeMillis() - StreamIds.millis(entry.getId()));
        }
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
