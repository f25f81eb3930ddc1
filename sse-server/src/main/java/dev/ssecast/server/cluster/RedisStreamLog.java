package dev.ssecast.server.cluster;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.SseHistory;
import dev.ssecast.server.http.PublishRules;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One Redis Stream as the event log shared by every node: a publish is one {@code XADD} (trimmed approximately to
 * the replay window), its entry id is the event's id on every node, and a resume older than a node's ring is
 * loaded back with {@code XRANGE}. Entries are {@code t} (topic), {@code e} (event type, optional), {@code d}
 * (data), held to the rules of {@code POST /events} ({@link PublishRules}) wherever they are read: an entry that
 * breaks them (another producer may {@code XADD} anything) is skipped, counted and logged, never fed.
 *
 * <p>Thread-safe. Commands never wait for a connection: while Redis is unreachable they fail at once, so a
 * publish answers 503 instead of 202, and {@link StreamReader} backs off.
 */
public final class RedisStreamLog implements SseHistory, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisStreamLog.class);
    static final String TOPIC = "t";
    static final String TYPE = "e";
    static final String DATA = "d";
    /** Field names and ids as text; values as bytes, so that the data is decoded by the rules, strictly. */
    static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final ClientResources resources;
    private final RedisClient client;
    private final String key;
    private final long maxLength;
    private final RedisURI uri;
    private final PublishRules rules;
    private final AtomicLong skipped = new AtomicLong();
    /** Connected in the background on first use, so no caller waits for Redis and a node starts while it is away. */
    private CompletableFuture<StatefulRedisConnection<String, byte[]>> connection;

    /**
     * Connects lazily to {@code uri} (for example {@code redis://127.0.0.1:6379/0}).
     *
     * @param key       the stream's key
     * @param maxLength the approximate length the stream is trimmed to on each publish
     * @param rules     what an entry must be to become an event
     * @param transport the server's transport ({@code epoll}, {@code io_uring} or {@code nio}), for Lettuce to run
     *                  too (see {@link LettuceTransport})
     */
    public RedisStreamLog(String uri, String key, long maxLength, PublishRules rules, String transport) {
        String running = LettuceTransport.select(transport);
        if (running.equals(transport)) {
            LOG.info("Redis client transport: {}, as the server's", running);
        } else {
            LOG.info("Redis client transport: {}; the server runs {}, which Lettuce cannot have in this JVM", running,
                    transport);
        }
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(1).build();
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(Duration.ofSeconds(2));
        this.uri = redisUri;
        this.client = RedisClient.create(resources, redisUri);
        this.client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        this.key = key;
        this.maxLength = maxLength;
        this.rules = rules;
        this.connection = client.connectAsync(CODEC, redisUri).toCompletableFuture();
    }

    /** A new connection for the stream reader, whose blocking reads must not hold up publishes. */
    StatefulRedisConnection<String, byte[]> connectReader() {
        return client.connect(CODEC);
    }

    String key() {
        return key;
    }

    /**
     * Appends {@code event} to the stream for {@code topic}; completes with the entry id once Redis has accepted
     * it, or exceptionally when Redis cannot be reached. Never blocks.
     */
    public CompletionStage<PublishResult> publish(String topic, SseEvent event) {
        Map<String, byte[]> fields = new HashMap<>(4);
        fields.put(TOPIC, topic.getBytes(StandardCharsets.UTF_8));
        if (event.type() != null) {
            fields.put(TYPE, event.type().getBytes(StandardCharsets.UTF_8));
        }
        fields.put(DATA, (event.data() == null ? "" : event.data()).getBytes(StandardCharsets.UTF_8));
        try {
            return commands().xadd(key, XAddArgs.Builder.maxlen(maxLength).approximateTrimming(), fields)
                    .thenApply(PublishResult::accepted);
        } catch (RuntimeException unreachable) {
            return CompletableFuture.failedFuture(unreachable);
        }
    }

    /**
     * Loads the events of {@code topics} after {@code afterId} (and before {@code beforeId}) with {@code XRANGE};
     * completes with null when the stream was trimmed past {@code afterId}.
     */
    @Override
    public CompletionStage<List<SseEvent>> eventsBetween(String afterId, String beforeId, Set<String> topics) {
        RedisAsyncCommands<String, byte[]> redis;
        try {
            redis = commands();
        } catch (RuntimeException unreachable) {
            return CompletableFuture.failedFuture(unreachable);
        }
        return redis.xinfoStream(key).handle((info, failure) -> failure == null ? info : List.of())
                .thenCompose(info -> {
                    if (trimmedPast(info, afterId)) {
                        return CompletableFuture.completedFuture(null);
                    }
                    Range.Boundary<String> upper = beforeId == null ? Range.Boundary.unbounded()
                            : Range.Boundary.excluding(beforeId);
                    return redis.xrange(key, Range.from(Range.Boundary.excluding(afterId), upper))
                            .thenApply(entries -> toEvents(entries, topics, false));
                });
    }

    /**
     * Whether entries after {@code afterId} may have been trimmed: something was trimmed (more entries were added
     * than the stream holds) and its oldest entry comes after {@code afterId}.
     */
    static boolean trimmedPast(List<Object> info, String afterId) {
        Map<String, Object> fields = new HashMap<>();
        for (int i = 0; i + 1 < info.size(); i += 2) {
            fields.put(text(info.get(i)), info.get(i + 1));
        }
        Object length = fields.get("length");
        Object added = fields.get("entries-added");
        Object first = fields.get("first-entry");
        if (!(length instanceof Long) || !(added instanceof Long) || !(first instanceof List)
                || ((List<?>) first).isEmpty()) {
            return false;
        }
        boolean trimmed = (Long) added > (Long) length;
        return trimmed && SseBroadcaster.compareIds(text(((List<?>) first).get(0)), afterId) > 0;
    }

    /** A reply element as text: the codec hands bulk strings over as bytes. */
    private static String text(Object element) {
        return element instanceof byte[] ? new String((byte[]) element, StandardCharsets.UTF_8)
                : String.valueOf(element);
    }

    private List<SseEvent> toEvents(List<StreamMessage<String, byte[]>> entries, Set<String> topics, boolean warn) {
        List<SseEvent> events = new ArrayList<>();
        for (StreamMessage<String, byte[]> entry : entries) {
            Entry decoded = decode(entry, warn);
            if (decoded != null && topics.contains(decoded.topic())) {
                events.add(decoded.event());
            }
        }
        return events;
    }

    /** An entry that is an event: its topic, and the event with the entry id as its id. */
    record Entry(String topic, SseEvent event) {
    }

    /**
     * The topic and event of {@code entry} under the rules of {@code POST /events}, or null when it breaks them:
     * then it is counted in {@link #entriesSkipped} and logged, at WARN by the reader (once per entry and node)
     * and at DEBUG when a resume loads it again.
     */
    Entry decode(StreamMessage<String, byte[]> entry, boolean warn) {
        Map<String, byte[]> body = entry.getBody();
        try {
            byte[] topic = body.get(TOPIC);
            byte[] type = body.get(TYPE);
            byte[] data = body.get(DATA);
            if (topic == null || data == null) {
                throw new IllegalArgumentException("an entry needs the fields " + TOPIC + " (topic) and " + DATA
                        + " (data), had " + new TreeSet<>(body.keySet()));
            }
            SseEvent event = rules.event(type == null ? null : new String(type, StandardCharsets.UTF_8),
                    ByteBuffer.wrap(data));
            return new Entry(rules.topic(new String(topic, StandardCharsets.UTF_8)),
                    event.toBuilder().id(entry.getId()).build());
        } catch (IllegalArgumentException broken) {
            skipped.incrementAndGet();
            if (warn) {
                LOG.warn("skipped entry {} of stream {}: {}", entry.getId(), key, broken.getMessage());
            } else {
                LOG.debug("skipped entry {} of stream {} loading a resume: {}", entry.getId(), key,
                        broken.getMessage());
            }
            return null;
        }
    }

    /** Entries skipped because they broke the rules, by the reader or loading a resume. */
    public long entriesSkipped() {
        return skipped.get();
    }

    /**
     * The shared command connection. Never waits: while it is being made, or after an attempt failed (then a new
     * attempt starts), this throws a {@link RedisConnectionException} and the caller answers 503 or retries.
     * Once made, Lettuce reconnects it by itself.
     */
    private synchronized RedisAsyncCommands<String, byte[]> commands() {
        if (connection == null || connection.isCompletedExceptionally()) {
            connection = client.connectAsync(CODEC, uri).toCompletableFuture();
        }
        StatefulRedisConnection<String, byte[]> made = connection.getNow(null);
        if (made == null) {
            throw new RedisConnectionException("connecting to Redis at " + uri.getHost() + ":" + uri.getPort());
        }
        return made.async();
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            connection.thenAccept(StatefulRedisConnection::close);
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
