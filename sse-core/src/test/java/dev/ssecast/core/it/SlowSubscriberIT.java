package dev.ssecast.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.testing.Publishing;
import dev.ssecast.core.testing.SocketTransport;
import dev.ssecast.core.testing.SseTestClient;
import dev.ssecast.core.testing.TestSseServer;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SlowSubscriberIT {
    private static final int FAST_SUBSCRIBERS = 4;
    private static final int EVENT_BYTES = 8 << 10;
    /** Events per round: 64 KiB, a quarter of the queue bound; rounds go in lock-step with the fast subscribers. */
    private static final int ROUND = 8;
    private static final long MAX_QUEUED_BYTES = 256 << 10;
    private static final int RING_EVENTS = 64;
    /** The replay ring's entries, which come from the same allocator: 64 events and their field names. */
    private static final long RING_BYTES = RING_EVENTS * (EVENT_BYTES + 64L);
    /** Bytes the server may hold while one stream lags: the ring, plus the stream's bound and a round, with slack. */
    private static final long FRAME_BYTES_CEILING = RING_BYTES + 2 * MAX_QUEUED_BYTES;
    /** 25 MiB: far beyond the socket buffers (a few MiB on loopback) and the queue bound. */
    private static final int MAX_ROUNDS = 400;
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String PADDING = "x".repeat(EVENT_BYTES - 8);

    /** Allocates the broadcaster's frames and ring only, so that its metric is what the server holds. */
    private final UnpooledByteBufAllocator frames = new UnpooledByteBufAllocator(true);
    private SseBroadcaster broadcaster;
    private TestSseServer server;
    private EventLoopGroup clientLoops;
    private final List<SseTestClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        broadcaster = SseBroadcaster.builder()
                .writeBufferWaterMark(8 << 10, 32 << 10)
                .slowConsumer(MAX_QUEUED_BYTES, Duration.ofSeconds(2))
                .replay(RING_EVENTS, 1 << 20)
                .allocator(frames)
                .build();
        server = TestSseServer.builder(broadcaster).start();
        clientLoops = SocketTransport.newGroup("slow-client", 2);
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
    void closesTheSubscriberThatStopsReadingWhileTheOthersGetEveryEvent() {
        for (int i = 0; i < FAST_SUBSCRIBERS; i++) {
            clients.add(SseTestClient.builder(clientLoops, server.port()).connect());
        }
        SseTestClient slow = SseTestClient.builder(clientLoops, server.port()).receiveBufferSize(16 << 10).connect();
        clients.add(slow);
        await().atMost(WAIT).until(() -> broadcaster.openStreams() == FAST_SUBSCRIBERS + 1);
        slow.recorder().awaitRetry(WAIT);
        slow.stopReading();

        List<String> ids = new ArrayList<>();
        long peakFrameBytes = 0;
        for (int round = 0; broadcaster.slowConsumersClosed() == 0; round++) {
            assertThat(round).as("rounds of %d bytes without the slow subscriber closed", ROUND * EVENT_BYTES)
                    .isLessThan(MAX_ROUNDS);
            for (int i = 0; i < ROUND; i++) {
                ids.add(Publishing.publishUntilAccepted(broadcaster, "default", event(ids.size()), WAIT));
            }
            List<String> due = ids.subList(ids.size() - ROUND, ids.size());
            for (int c = 0; c < FAST_SUBSCRIBERS; c++) {
                List<SseEvent> received = clients.get(c).recorder().awaitEvents(ROUND, WAIT);
                assertThat(received).as("round %d of subscriber %d", round, c)
                        .extracting(SseEvent::id).isEqualTo(due);
                assertThat(received.get(0)).isEqualTo(event(ids.size() - ROUND).toBuilder().id(due.get(0)).build());
            }
            peakFrameBytes = Math.max(peakFrameBytes, frames.metric().usedDirectMemory());
        }

        assertThat(broadcaster.slowConsumersClosed()).isEqualTo(1);
        assertThat(peakFrameBytes).as("frame bytes held while the slow subscriber lagged (after %d events)",
                ids.size()).isLessThanOrEqualTo(FRAME_BYTES_CEILING);
        slow.resumeReading(); // it sees the close behind what its socket still holds
        slow.awaitClosedByServer(WAIT);
        List<String> slowIds = slow.recorder().events().stream().map(SseEvent::id).collect(Collectors.toList());
        assertThat(slowIds).as("what the slow subscriber got: a prefix, cut off").isNotEmpty()
                .isEqualTo(ids.subList(0, slowIds.size()))
                .hasSizeLessThan(ids.size());

        String after = Publishing.publishUntilAccepted(broadcaster, "default", event(ids.size()), WAIT);
        for (int c = 0; c < FAST_SUBSCRIBERS; c++) {
            assertThat(clients.get(c).recorder().awaitEvent(WAIT).id()).isEqualTo(after);
            clients.get(c).recorder().assertNoMoreEvents();
        }
        assertThat(broadcaster.openStreams()).isEqualTo(FAST_SUBSCRIBERS);
        await().atMost(WAIT).until(() -> frames.metric().usedDirectMemory() <= RING_BYTES);
    }

    private static SseEvent event(int n) {
        return SseEvent.ofData(String.format("%07d", n) + ":" + PADDING);
    }
}
