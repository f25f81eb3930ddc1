package dev.ssecast.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The real jar in its own process: configuration from the environment, signals, exit codes, the open-file cap. */
@Timeout(120)
class ServerProcessIT {
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(30);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void drainsOnSigtermFlippingReadinessEndingStreamsThenExits0() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("SSECAST_HOST", "127.0.0.1", "SSECAST_PORT", "0",
                "SSECAST_DRAIN", "2s", "SSECAST_RETRY", "500ms", "SSECAST_MAX_CONNECTIONS", "100"))) {
            int port = server.port();
            assertThat(server.awaitLine("limits:")).contains("max connections 100", "retry 500ms", "drain 2s");
            URI base = URI.create("http://127.0.0.1:" + port + "/");
            try (EventStream stream = EventStream.open(client, base, "/events?topic=drain")) {
                assertThat(stream.awaitRetry()).isEqualTo(Duration.ofMillis(500));
                assertThat(get(port, "/readyz").statusCode()).isEqualTo(200);

                server.terminate();

                await().atMost(Duration.ofSeconds(10)).until(() -> get(port, "/readyz").statusCode() == 503);
                assertThat(stream.awaitRetry()).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
                stream.awaitEnd();
            }
            assertThat(server.awaitExit(EXIT_WITHIN)).isZero();
            assertThat(server.stdout()).anyMatch(l -> l.contains("SIGTERM received: draining"))
                    .anyMatch(l -> l.contains("drained: every stream ended"))
                    .anyMatch(l -> l.contains("stopped"))
                    .noneMatch(l -> l.contains("LEAK"));
        }
    }

    @Test
    void aSecondSigtermExitsAtOnce() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of(), "--host", "127.0.0.1", "--port", "0",
                "--drain", "10m", "--max-connections", "100")) {
            URI base = URI.create("http://127.0.0.1:" + server.port() + "/");
            try (EventStream stream = EventStream.open(client, base, "/events")) {
                stream.awaitRetry();
                server.terminate();
                server.awaitLine("SIGTERM received: draining");
                server.terminate();
                assertThat(server.awaitExit(EXIT_WITHIN)).as("well before the 10m drain").isZero();
                assertThat(server.stdout()).anyMatch(l -> l.contains("SIGTERM received again: exiting now"));
            }
        }
    }

    @Test
    void aBadValueStopsStartUpWithOneLineNamingTheOption() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("SSECAST_PORT", "0"), "--retry", "soon")) {
            assertThat(server.awaitExit(EXIT_WITHIN)).isEqualTo(2);
            assertThat(server.stderr()).hasSize(1);
            assertThat(server.stderr().get(0))
                    .isEqualTo("ssecast-server: Invalid value for option '--retry': 'soon' is not a duration like "
                            + "250ms, 15s or 2m (see --help)");
            assertThat(server.stdout()).isEmpty();
        }
        try (ServerProcess server = ServerProcess.start(Map.of("SSECAST_MAX_EVENT_BYTES", "lots"))) {
            assertThat(server.awaitExit(EXIT_WITHIN)).isEqualTo(2);
            assertThat(server.stderr()).singleElement().asString()
                    .startsWith("ssecast-server: Invalid value for SSECAST_MAX_EVENT_BYTES "
                            + "(option '--max-event-bytes')");
        }
    }

    @Test
    void helpListsTheOptionsWithTheirDefaultsAndVariables() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of(), "--help")) {
            assertThat(server.awaitExit(EXIT_WITHIN)).isZero();
            String help = String.join(" ", server.stdout()).replaceAll("\\s+", " ");
            assertThat(help).contains("--max-connections", "SSECAST_MAX_CONNECTIONS", "--demo", "Default: 8080.");
        }
    }

    @Test
    void aTakenPortStopsStartUpWithOneLineAndExit1() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (ServerProcess server = ServerProcess.start(Map.of(), "--host", "127.0.0.1",
                    "--port", Integer.toString(taken.getLocalPort()), "--max-connections", "100")) {
                assertThat(server.awaitExit(EXIT_WITHIN)).isEqualTo(1);
                assertThat(server.awaitLine("ERROR")).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort());
            }
        }
    }

    @Test
    void capsConnectionsBelowTheOpenFileLimitAndSaysHowToRaiseIt() throws Exception {
        try (ServerProcess server = ServerProcess.startWithShellPrefix("ulimit -n 512", Map.of(),
                "--host", "127.0.0.1", "--port", "0", "--max-connections", "100000")) {
            int port = server.port();
            assertThat(server.awaitLine("WARN")).contains("open-file limit is 512",
                    "--max-connections 100000 is above what it allows", "capping connections at 448", "ulimit -n",
                    "LimitNOFILE=");
            assertThat(get(port, "/metrics").body()).contains("ssecast_max_connections 448.0");

            // Fill the cap with streams; the next subscriber is turned away, and the process never ran out of files.
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            List<RawConnection> streams = new ArrayList<>();
            try {
                for (int i = 0; i < 448; i++) {
                    RawConnection stream = new RawConnection(address);
                    streams.add(stream);
                    stream.send("GET /events?topic=cap HTTP/1.1\r\nHost: localhost\r\n\r\n");
                }
                for (RawConnection stream : streams) {
                    assertThat(stream.readLine()).isEqualTo("HTTP/1.1 200 OK");
                }
                try (RawConnection turnedAway = new RawConnection(address)) {
                    turnedAway.send("GET /events?topic=cap HTTP/1.1\r\nHost: localhost\r\n\r\n");
                    String answer = turnedAway.readToEnd();
                    assertThat(answer).startsWith("HTTP/1.1 200 OK").containsPattern("retry: [0-9]+\n\n")
                            .endsWith("0\r\n\r\n");
                }
                assertThat(server.stdout()).noneMatch(l -> l.contains("Too many open files"));
            } finally {
                for (RawConnection stream : streams) {
                    stream.close();
                }
            }
        }
    }
}
