package dev.ssecast.server;

import dev.ssecast.core.testing.ExternalBinary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The listener's accept backlog is the kernel's {@code net.core.somaxconn}, so that raising it (docs/deploy.md)
 * lets a reconnect storm queue instead of overflowing; a fixed 1,024 made that setting moot.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ListenBacklogIT {
    @Test
    void theBacklogIsTheKernelsLimit() throws Exception {
        Path ss = ExternalBinary.require("ss", "iproute2");
        int somaxconn = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn")).get(0).trim());
        try (TestServer server = TestServer.start()) {
            Process process = new ProcessBuilder(ss.toString(), "-ltnH", "sport = :" + server.address().getPort())
                    .redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            // State Recv-Q Send-Q Local Peer: for a listening socket, Send-Q is the backlog
            String[] columns = out.split("\\s+");
            assertThat(columns).as("ss said: %s", out).hasSizeGreaterThanOrEqualTo(4);
            assertThat(columns[0]).isEqualTo("LISTEN");
            assertThat(Integer.parseInt(columns[2])).isEqualTo(somaxconn);
        }
    }
}
