package dev.ssecast.server;

import dev.ssecast.core.SseEvent;
import dev.ssecast.server.cluster.RedisProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shared stream as any producer with write access can fill it: every entry that breaks the rules of
 * {@code POST /events} is skipped and counted, live and in a resume, and the node goes on delivering the rest.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisEntriesIT {
    private static final String STREAM = "entries-it";
    private static final int MAX_EVENT_BYTES = 16;
    /** The broken entries {@link #addGoodAndBrokenEntries} adds, and how many come before its third good one. */
    private static final int BROKEN = 9;
    private static final int BROKEN_BEFORE_THIRD = 4;

    private RedisProcess redis;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        redis = RedisProcess.start();
        server = TestServer.start("--redis", redis.uri(), "--redis-stream", STREAM, "--replay", "3",
                "--max-event-bytes", String.valueOf(MAX_EVENT_BYTES));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.get("/readyz").statusCode() == 200);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        redis.close();
    }

    /** Adds good entries (returned, with their data) with every kind of broken entry between them. */
    private List<SseEvent> addGoodAndBrokenEntries() throws Exception {
        List<SseEvent> good = new ArrayList<>();
        good.add(good("first", null));
        redis.xadd(STREAM, "t", "t", "e", "", "d", "empty event type");
        good.add(good("second", "price"));
        redis.xadd(STREAM, "e", "price", "d", "no topic");
        redis.xadd(STREAM, "t", "t", "e", "price");
        redis.xadd(STREAM, "t", "t", "e", "reset", "d", "reserved name");
        good.add(good("third", null));
        redis.xadd(STREAM, "t", "t", "e", "a b", "d", "bad name");
        redis.xadd(STREAM, "t", "no spaces", "d", "bad topic");
        redis.xadd(STREAM, "t", "t", "d", new byte[] {'a', (byte) 0xC3});
        redis.xadd(STREAM, "t", "t", "d", "");
        redis.xadd(STREAM, "t", "t", "d", "\u00e9".repeat(MAX_EVENT_BYTES / 2 + 1)); // 9 characters, 18 bytes
        good.add(good("x".repeat(MAX_EVENT_BYTES), "price"));
        good.add(good("last\n", null)); // kept as published, final line break included
        return good;
    }

    private SseEvent good(String data, String type) throws Exception {
        String id = type == null ? redis.xadd(STREAM, "t", "t", "d", data)
                : redis.xadd(STREAM, "t", "t", "e", type, "d", data);
        return SseEvent.builder().id(id).type(type).data(data).build();
    }

    private double skipped() throws Exception {
        return metric("ssecast_redis_entries_skipped_total");
    }

    private double metric(String name) throws Exception {
        String metrics = server.get("/metrics").body();
        int at = metrics.indexOf("\n" + name + " ");
        assertThat(at).as("%s on /metrics", name).isPositive();
        int end = metrics.indexOf('\n', at + 1);
        return Double.parseDouble(metrics.substring(metrics.indexOf(' ', at) + 1, end));
    }

    @Test
    void skipsAndCountsEveryEntryThatIsNoEventAndDeliversTheRestInOrder() throws Exception {
        try (EventStream stream = server.stream("/events?topic=t")) {
            stream.awaitRetry();
            List<SseEvent> good = addGoodAndBrokenEntries();

            assertThat(stream.awaitEvents(good.size())).isEqualTo(good);
            assertThat(skipped()).isEqualTo(BROKEN);
            assertThat(server.get("/readyz").statusCode()).isEqualTo(200);
            assertThat(server.publish("t", "after")).isNotNull();
            assertThat(stream.awaitEvent().data()).isEqualTo("after");
            stream.assertNoMoreEvents();
        }
    }

    @Test
    void aResumeFromRedisGetsExactlyTheGoodEntriesAcrossBrokenOnes() throws Exception {
        List<SseEvent> good = addGoodAndBrokenEntries();
        await().atMost(Duration.ofSeconds(10)).until(() -> skipped() == BROKEN); // the reader passed them all

        // The ring holds the newest 3 events; the resume after the first loads the rest with XRANGE.
        try (EventStream stream = server.stream("/events?topic=t", Map.of("Last-Event-ID", good.get(0).id()))) {
            stream.awaitRetry();
            assertThat(stream.awaitEvents(good.size() - 1)).isEqualTo(good.subList(1, good.size()));
            stream.assertNoMoreEvents();
        }
        assertThat(skipped()).as("the reader's skips, and the resume's: those between the first and the ring's oldest")
                .isEqualTo(BROKEN + BROKEN_BEFORE_THIRD);
        assertThat(server.get("/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void answers503OnReadyzWhileTheReaderFailsUnexpectedlyAndKeepsItsThread() throws Exception {
        // Something else gave the broadcaster an id far ahead: it refuses every entry the reader feeds after it.
        server.server.broadcaster().publish("t", SseEvent.builder().id("99999999999999-0").data("ahead").build());
        redis.xadd(STREAM, "t", "t", "d", "refused");

        await().atMost(Duration.ofSeconds(10)).until(() -> server.get("/readyz").statusCode() == 503);
        assertThat(server.get("/readyz").body()).isEqualTo("not reading the shared Redis Stream\n");
        assertThat(metric("ssecast_redis_reader_up")).isZero();
        assertThat(metric("ssecast_redis_reader_outages_total")).isEqualTo(1);
        assertThat(Thread.getAllStackTraces().keySet()).as("the reader thread")
                .anyMatch(t -> t.getName().equals("ssecast-redis-reader") && t.isAlive());
    }
}
