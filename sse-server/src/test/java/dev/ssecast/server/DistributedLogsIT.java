package dev.ssecast.server;

import ch.qos.logback.classic.Level;
import dev.ssecast.server.cluster.RedisProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the distributed mode writes to the log: one line an operator needs for each fact, and no secret. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DistributedLogsIT {

    private static int closedPort() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    @Test
    void logsTheRedisUriWithoutItsPassword() throws Exception {
        String uri = "redis://secret@127.0.0.1:" + closedPort() + "/0";
        List<String> lines;
        try (LogCapture logs = new LogCapture(Level.INFO)) {
            try (TestServer server = TestServer.start("--redis", uri)) {
                assertThat(server.server.address()).isNotNull();
            }
            lines = logs.lines();
        }
        assertThat(lines).anyMatch(line -> line.contains("distributed mode")
                && line.contains("redis://***@127.0.0.1:"));
        assertThat(lines).noneMatch(line -> line.contains("secret"));
    }

    @Test
    void theRedisClientRunsTheServersTransportAndSaysSoOnceWithoutAWarning() throws Exception {
        List<String> lines;
        try (RedisProcess redis = RedisProcess.start(); LogCapture logs = new LogCapture(Level.INFO)) {
            try (TestServer server = TestServer.start("--redis", redis.uri())) {
                await().atMost(Duration.ofSeconds(10)).until(() -> server.get("/readyz").statusCode() == 200);
                server.publish("default", "both connections in use"); // the reader's, and the commands'
            }
            lines = logs.lines();
        }
        assertThat(lines).noneMatch(line -> line.contains("native transports are available"));
        assertThat(lines).filteredOn(line -> line.contains("Redis client transport")).singleElement()
                .satisfies(line -> assertThat(line).startsWith("INFO "));
    }
}
