package dev.ssecast.server;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The same contract on every transport this machine offers: a stream, a publish, a 413, a bad request. */
@Timeout(60)
class TransportIT {

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll", "io_uring"})
    void servesTheContractOn(String transport) throws Exception {
        assumeTrue(!transport.equals("epoll") || Epoll.isAvailable(), "epoll is not available here");
        assumeTrue(!transport.equals("io_uring") || IoUring.isAvailable(), "io_uring is not available here");
        try (TestServer server = TestServer.start("--transport", transport)) {
            assertThat(server.server.transport()).isEqualTo(transport);
            try (EventStream stream = server.stream("/events?topic=" + transport)) {
                stream.awaitRetry();
                server.publish(transport, "on " + transport);
                assertThat(stream.awaitEvent().data()).isEqualTo("on " + transport);
            }
            assertThat(server.post("/events", "x".repeat(65_537)).statusCode()).isEqualTo(413);
            try (RawConnection raw = server.raw()) {
                raw.send("GARBAGE\r\n\r\n");
                assertThat(raw.readResponse().status()).isEqualTo(400);
                assertThat(raw.isClosedByServer()).isTrue();
            }
        }
    }
}
