package dev.ssecast.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The 429s over real sockets: connections from one loopback address beyond {@code --max-connections-per-ip}, and
 * publishes beyond {@code --publish-rate}, each with {@code Retry-After} and counted by reason on /metrics.
 */
@Timeout(30)
class AbuseLimitsIT {
    private final List<Socket> sockets = new ArrayList<>();
    private TestServer server;

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Socket connect(String source) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.bind(new InetSocketAddress(source, 0));
        socket.connect(server.address(), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Sends {@code request} with {@code Connection: close} and reads the whole answer. */
    private String exchange(Socket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }

    private double refused(String reason) throws Exception {
        String prefix = "ssecast_requests_refused_total{reason=\"" + reason + "\"} ";
        return server.get("/metrics").body().lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).findFirst().orElseThrow();
    }

    @Test
    void answersAConnectionOverThePerAddressLimitWith429AndRetryAfter() throws Exception {
        server = TestServer.start("--max-connections-per-ip", "2", "--retry", "2000ms");
        connect("127.0.0.2");
        connect("127.0.0.2");
        // The server counts a connection when it accepts it; a request on the first two proves both are counted.
        String healthz = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
        for (Socket counted : sockets.subList(0, 2)) {
            counted.getOutputStream().write(healthz.getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(counted.getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
                    .isEqualTo("HTTP/1.1 200");
        }
        String over = exchange(connect("127.0.0.2"), healthz);
        assertThat(over).startsWith("HTTP/1.1 429 ").contains("retry-after: 2").contains("connection: close");
        String other = exchange(connect("127.0.0.3"),
                "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertThat(other).startsWith("HTTP/1.1 200 ");
        assertThat(refused("per-address")).isEqualTo(1);
    }

    @Test
    void answersPublishesOverTheRateWith429AndRetryAfter() throws Exception {
        server = TestServer.start("--publish-rate", "1", "--publish-burst", "2");
        assertThat(server.post("/events?topic=t", "1").statusCode()).isEqualTo(202);
        assertThat(server.post("/events?topic=t", "2").statusCode()).isEqualTo(202);
        var third = server.post("/events?topic=t", "3");
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.headers().firstValue("retry-after")).hasValue("1");
        assertThat(refused("publish-rate")).isEqualTo(1);
    }
}
