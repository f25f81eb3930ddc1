package dev.ssecast.server;

import dev.ssecast.server.cluster.RedisProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.netty.channel.EventLoopGroup;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.ssecast.server.AdversarialIT.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The distributed case of {@link AdversarialIT}: a node in distributed mode with a control subscriber of its own;
 * entries no node would write are added straight to the shared stream between good publishes (an empty event
 * type, no topic, no data, a type with a line break, the reserved type {@code reset}, a topic outside the rules,
 * data over {@code --max-event-bytes}); then Redis restarts on the same port and data directory. The control stream
 * must get every good event in order and no bad one, each bad entry is counted as skipped, and the node is ready
 * again after the restart.
 */
final class RedisPoisonCase {
    private static final String STREAM = "adversarial";
    private static final int MAX_EVENT_BYTES = 1024;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private RedisPoisonCase() {
    }

    /** Each entry is invalid for one reason; the good publishes go to topic {@code default}. */
    private static List<Map<String, String>> poison() {
        return List.of(
                entry("t", "default", "e", "", "d", "x"),
                entry("d", "no topic"),
                entry("t", "default"),
                entry("t", "default", "e", "line\nbreak", "d", "x"),
                entry("t", "default", "e", "reset", "d", "{\"reason\":\"too-old\"}"),
                entry("t", "a b", "d", "x"),
                entry("t", "default", "d", "x".repeat(MAX_EVENT_BYTES + 1)));
    }

    private static Map<String, String> entry(String... fieldsAndValues) {
        Map<String, String> entry = new LinkedHashMap<>();
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            entry.put(fieldsAndValues[i], fieldsAndValues[i + 1]);
        }
        return entry;
    }

    static void run(EventLoopGroup clients) throws Exception {
        try (RedisProcess redis = RedisProcess.start();
             TestServer node = TestServer.start("--redis", redis.uri(), "--redis-stream", STREAM,
                     "--max-event-bytes", Integer.toString(MAX_EVENT_BYTES), "--heartbeat", "500ms")) {
            awaitReadyz(node, 200);
            try (ControlStream control = ControlStream.open(clients, node.address().getPort(), "default")) {
                List<Map<String, String>> poison = poison();
                RedisClient lettuce = RedisClient.create(redis.uri());
                try (StatefulRedisConnection<String, String> direct = lettuce.connect()) {
                    for (int i = 0; i < poison.size(); i++) {
                        control.publish("good " + i);
                        direct.sync().xadd(STREAM, poison.get(i));
                    }
                    control.publish("good " + poison.size());
                } finally {
                    lettuce.shutdown();
                }
                control.assertExact();
                assertThat(metric(node, "ssecast_redis_entries_skipped_total")).as("poison entries skipped")
                        .isEqualTo(poison.size());
                assertThat(node.get("/readyz").statusCode()).isEqualTo(200);

                double outages = metric(node, "ssecast_redis_reader_outages_total");
                redis.stop();
                awaitReadyz(node, 503);
                redis.startAgain();
                awaitReadyz(node, 200);
                // The publish connection may still be reconnecting: a 503 accepted nothing, so try again.
                await().atMost(READY_TIMEOUT).until(() -> control.tryPublish("after the restart 0") != null);
                for (int i = 1; i < 4; i++) {
                    control.publish("after the restart " + i);
                }
                control.assertExact();
                assertThat(metric(node, "ssecast_redis_reader_outages_total")).as("the restart was an outage")
                        .isGreaterThanOrEqualTo(outages + 1);
                assertThat(metric(node, "ssecast_redis_entries_skipped_total")).isEqualTo(poison.size());
                assertThat(node.get("/readyz").statusCode()).isEqualTo(200);
            }
        }
    }

    private static void awaitReadyz(TestServer node, int status) {
        await().atMost(READY_TIMEOUT).ignoreExceptions().until(() -> node.get("/readyz").statusCode() == status);
    }
}
