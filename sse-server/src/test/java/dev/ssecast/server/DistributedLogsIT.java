package dev.ssecast.server;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

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
}
