package dev.ssecast.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.testing.Publishing;
import dev.ssecast.core.testing.SocketTransport;
import dev.ssecast.core.testing.SseTestClient;
import dev.ssecast.core.testing.TestSseServer;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ThousandSubscribersIT {
    private static final int SUBSCRIBERS = 1_000;
    private static final int EVENTS = 1_000;
    /** Events published before waiting for a tick to take them, so that the run spans many ticks. */
    private static final int BATCH = 50;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private SseBroadcaster broadcaster;
    private TestSseServer server;
    private EventLoopGroup clientLoops;
    private final List<SseTestClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        broadcaster = SseBroadcaster.builder().publishQueue(4 * BATCH).build();
        server = TestSseServer.builder(broadcaster).start();
        clientLoops = SocketTransport.newGroup("thousand-client", 2);
    }

    @AfterEach
    void stop() {
        clients.forEach(SseTestClient::close);
        broadcaster.close();
        server.close();
        SocketTransport.shutDown(clientLoops);
    }

    @Test
    @Timeout(60)
    void deliversEveryEventInOrderToEachOfAThousandSubscribers() {
        for (int i = 0; i < SUBSCRIBERS; i++) {
            clients.add(SseTestClient.builder(clientLoops, server.port()).connect());
        }
        await().atMost(WAIT).until(() -> broadcaster.openStreams() == SUBSCRIBERS);

        List<String> ids = new ArrayList<>(EVENTS);
        for (int i = 0; i < EVENTS; i++) {
            ids.add(Publishing.publishUntilAccepted(broadcaster, "default", SseEvent.ofData("event-" + i), WAIT));
            if ((i + 1) % BATCH == 0) {
                long published = i + 1;
                await().atMost(WAIT).pollInterval(Duration.ofMillis(1))
                        .until(() -> broadcaster.eventsPublished() >= published);
            }
        }

        assertThat(ids.stream().map(Long::parseLong).collect(Collectors.toList()))
                .as("ids returned by publish")
                .isSorted()
                .doesNotHaveDuplicates();
        List<String> expected = new ArrayList<>(EVENTS);
        for (int i = 0; i < EVENTS; i++) {
            expected.add(ids.get(i) + " event-" + i);
        }
        for (int c = 0; c < SUBSCRIBERS; c++) {
            List<String> received = clients.get(c).recorder().awaitEvents(EVENTS, WAIT).stream()
                    .map(event -> event.id() + " " + event.data())
                    .collect(Collectors.toList());
            assertThat(received).as("events of subscriber %d", c).isEqualTo(expected);
            clients.get(c).recorder().assertNoMoreEvents();
        }
        await().atMost(WAIT).until(() -> broadcaster.deliveries() == (long) SUBSCRIBERS * EVENTS);
        assertThat(broadcaster.slowConsumersClosed()).isZero();
        assertThat(broadcaster.openStreams()).isEqualTo(SUBSCRIBERS);
    }
}
