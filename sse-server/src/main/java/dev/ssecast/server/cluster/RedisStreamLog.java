package dev.ssecast.server.cluster;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.SseHistory;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One Redis Stream as the event log shared by every node: a publish is one {@code XADD} (trimmed approximately to
 * the replay window), its entry id is the event's id on every node, and a resume older than a node's ring is
 * loaded back with {@code XRANGE}. Entries are {@code t} (topic), {@code e} (event type, optional), {@code d}
 * (data).
 *
 * <p>Thread-safe. Commands never wait for a connection: while Redis is unreachable they fail at once, so a
 * publish answers 503 instead of 202, and {@link StreamReader} backs off.
 */
public final class RedisStreamLog implements SseHistory, AutoCloseable {
    static final String TOPIC = "t";
    static final String TYPE = "e";
    static final String DATA = "d";

    private final ClientResources resources;
    private final RedisClient client;
    private final String key;
    private final long maxLength;
    private final RedisURI uri;
    /** Connected in the background on first use, so no caller waits for Redis and a node starts while it is away. */
    private CompletableFuture<StatefulRedisConnection<String, String>> connection;

    /**
     * Connects lazily to {@code uri} (for example {@code redis://127.0.0.1:6379/0}).
     *
     * @param key       the stream's key
     * @param maxLength the approximate length the stream is trimmed to on each publish
     */
    public RedisStreamLog(String uri, String key, long maxLength) {
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
        this.connection = client.connectAsync(StringCodec.UTF8, redisUri).toCompletableFuture();
    }

    /** A new connection for the stream reader, whose blocking reads must not hold up publishes. */
    StatefulRedisConnection<String, String> connectReader() {
        return client.connect();
    }

    String key() {
        return key;
    }

    /**
     * Appends {@code event} to the stream for {@code topic}; completes with the entry id once Redis has accepted
     * it, or exceptionally when Redis cannot be reached. Never blocks.
     */
    public CompletionStage<PublishResult> publish(String topic, SseEvent event) {
        Map<String, String> fields = new HashMap<>(4);
        fields.put(TOPIC, topic);
        if (event.type() != null) {
            fields.put(TYPE, event.type());
        }
        fields.put(DATA, event.data() == null ? "" : event.data());
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
        RedisAsyncCommands<String, String> redis;
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
                            .thenApply(entries -> toEvents(entries, topics));
                });
    }

    /**
     * Whether entries after {@code afterId} may have been trimmed: something was trimmed (more entries were added
     * than the stream holds) and its oldest entry comes after {@code afterId}.
     */
    static boolean trimmedPast(List<Object> info, String afterId) {
        Map<String, Object> fields = new HashMap<>();
        for (int i = 0; i + 1 < info.size(); i += 2) {
            fields.put(String.valueOf(info.get(i)), info.get(i + 1));
        }
        Object length = fields.get("length");
        Object added = fields.get("entries-added");
        Object first = fields.get("first-entry");
        if (!(length instanceof Long) || !(added instanceof Long) || !(first instanceof List)
                || ((List<?>) first).isEmpty()) {
            return false;
        }
        boolean trimmed = (Long) added > (Long) length;
        return trimmed && StreamIds.compare(String.valueOf(((List<?>) first).get(0)), afterId) > 0;
    }

    private static List<SseEvent> toEvents(List<StreamMessage<String, String>> entries, Set<String> topics) {
        List<SseEvent> events = new ArrayList<>();
        for (StreamMessage<String, String> entry : entries) {
            if (topics.contains(entry.getBody().get(TOPIC))) {
                events.add(toEvent(entry));
            }
        }
        return events;
    }

    static SseEvent toEvent(StreamMessage<String, String> entry) {
        Map<String, String> body = entry.getBody();
        return SseEvent.builder().id(entry.getId()).type(body.get(TYPE)).data(body.getOrDefault(DATA, "")).build();
    }

    /**
     * The shared command connection. Never waits: while it is being made, or after an attempt failed (then a new
     * attempt starts), this throws a {@link RedisConnectionException} and the caller answers 503 or retries.
     * Once made, Lettuce reconnects it by itself.
     */
    private synchronized RedisAsyncCommands<String, String> commands() {
        if (connection == null || connection.isCompletedExceptionally()) {
            connection = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
        }
        StatefulRedisConnection<String, String> made = connection.getNow(null);
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
