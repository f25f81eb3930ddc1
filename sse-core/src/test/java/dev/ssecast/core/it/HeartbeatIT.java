package dev.ssecast.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.testing.EventRecorder;
import dev.ssecast.core.testing.SocketTransport;
import dev.ssecast.core.testing.SseTestClient;
import dev.ssecast.core.testing.TestSseServer;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class HeartbeatIT {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private SseBroadcaster broadcaster;
    private TestSseServer server;
    private EventLoopGroup clients;

    @BeforeEach
    void start() {
        broadcaster = SseBroadcaster.builder().heartbeat(Duration.ofMillis(200)).build();
        server = TestSseServer.builder(broadcaster).retry(Duration.ofMillis(1500)).start();
        clients = SocketTransport.newGroup("heartbeat-client", 1);
    }

    @AfterEach
    void stop() {
        broadcaster.close();
        server.close();
        SocketTransport.shutDown(clients);
    }

    @Test
    @Timeout(20)
    void keepsAnIdleStreamAliveWithHeartbeatComments() {
        try (SseTestClient client = SseTestClient.builder(clients, server.port()).connect()) {
            EventRecorder recorder = client.recorder();
            client.awaitOpen(WAIT);
            assertThat(recorder.awaitRetry(WAIT)).isEqualTo(Duration.ofMillis(1500));

            recorder.awaitComments(2, Duration.ofSeconds(3));

            recorder.assertNoMoreEvents();
            assertThat(client.isActive()).isTrue();
        }
    }
}
