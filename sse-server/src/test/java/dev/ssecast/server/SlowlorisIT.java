package dev.ssecast.server;

import dev.ssecast.core.testing.SocketTransport;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Slowloris: connections that trickle a request head one byte a second are answered 408 and closed within
 * {@code --request-timeout} plus 2 s, however long they would keep trickling, while a control stream keeps
 * receiving every event.
 */
@Timeout(60)
class SlowlorisIT {
    private static final int CONNECTIONS = 50;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final byte[] HEAD = "GET /events?topic=slow HTTP/1.1\r\nHost: localhost\r\nX-Padding: aaaaaaaa\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private final List<Socket> sockets = new ArrayList<>();
    private final ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService readers = Executors.newFixedThreadPool(CONNECTIONS);
    private EventLoopGroup clients;
    private TestServer server;
    private ControlStream control;

    @AfterEach
    void stop() throws Exception {
        trickler.shutdownNow();
        readers.shutdownNow();
        for (Socket socket : sockets) {
            socket.close();
        }
        try {
            if (control != null) {
                control.close();
            }
        } finally {
            server.close();
            SocketTransport.shutDown(clients);
        }
    }

    /** What one trickling connection got: the bytes read until the server ended it, and when it did. */
    private static final class Outcome {
        final String answer;
        final long elapsedNanos;

        Outcome(String answer, long elapsedNanos) {
            this.answer = answer;
            this.elapsedNanos = elapsedNanos;
        }
    }

    @Test
    void answersEveryTrickledHeadWith408WithinTheTimeoutWhileAStreamKeepsGettingEveryEvent() throws Exception {
        server = TestServer.start("--request-timeout", "2s");
        clients = SocketTransport.newGroup("slowloris-control", 1);
        control = ControlStream.open(clients, server.address().getPort(), "control");
        control.startPublishing();

        ConcurrentHashMap<Integer, Outcome> outcomes = new ConcurrentHashMap<>();
        int[] written = new int[CONNECTIONS];
        for (int i = 0; i < CONNECTIONS; i++) {
            Socket socket = new Socket();
            sockets.add(socket);
            long connected = System.nanoTime();
            socket.connect(server.address(), 5000);
            socket.setSoTimeout(30_000);
            int n = i;
            readers.execute(() -> {
                try (InputStream in = socket.getInputStream()) {
                    String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                    outcomes.put(n, new Outcome(answer, System.nanoTime() - connected));
                } catch (IOException e) {
                    outcomes.put(n, new Outcome("failed: " + e, System.nanoTime() - connected));
                }
            });
        }
        // One byte a second on every connection, far too slow for the head (about 70 bytes) to ever complete.
        trickler.scheduleAtFixedRate(() -> {
            for (int i = 0; i < CONNECTIONS; i++) {
                try {
                    if (written[i] < HEAD.length) {
                        sockets.get(i).getOutputStream().write(HEAD[written[i]++]);
                    }
                } catch (IOException closedByTheServer) {
                    written[i] = HEAD.length;
                }
            }
        }, 0, 1, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(20)).until(() -> outcomes.size() == CONNECTIONS);
        long limit = REQUEST_TIMEOUT.plusSeconds(2).toNanos();
        for (Outcome outcome : outcomes.values()) {
            assertThat(outcome.answer).startsWith("HTTP/1.1 408 ").contains("connection: close");
            assertThat(outcome.elapsedNanos).as("answered and closed within --request-timeout plus 2 s")
                    .isLessThan(limit);
        }
        control.stopPublishing();
        assertThat(control.numbered()).as("the control publisher ran meanwhile").isPositive();
        control.assertExact();
        String metrics = server.get("/metrics").body();
        assertThat(metrics).contains("ssecast_requests_refused_total{reason=\"request-timeout\"} " + CONNECTIONS
                + ".0");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.server.openConnections() <= 3);
    }
}
