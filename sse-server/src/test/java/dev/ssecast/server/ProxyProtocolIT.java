package dev.ssecast.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HAProxy with {@code send-proxy} (and {@code send-proxy-v2}) in front of a node that reads the PROXY protocol
 * from it: the per-address limit counts the real clients, which bind to 127.0.0.2, 127.0.0.3, ... although
 * every connection the node sees comes from HAProxy at 127.0.0.1.
 */
@Timeout(60)
class ProxyProtocolIT {
    private static final int READ_TIMEOUT_MILLIS = 10_000;

    private final List<Socket> sockets = new ArrayList<>();
    private TestServer server;
    private HaproxyProcess haproxy;

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
        try {
            if (haproxy != null) {
                haproxy.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    private void start() throws IOException {
        server = TestServer.start("--proxy-protocol", "--trusted-proxies", "127.0.0.1/32",
                "--max-connections-per-ip", "2", "--retry", "1000ms");
        haproxy = HaproxyProcess.start(server.address().getPort());
    }

    /** A subscribe from {@code source} through HAProxy's {@code port}; returns once the head and retry arrived. */
    private Socket subscribe(String source, int port, StringBuilder received) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.bind(new InetSocketAddress(source, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.getOutputStream().write("GET /events?topic=t HTTP/1.1\r\nHost: localhost\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        received.append(readUntil(socket.getInputStream(), "retry: "));
        received.append(readUntil(socket.getInputStream(), "\n"));
        return socket;
    }

    /** Reads until {@code marker} arrived or the stream ended; what it read. */
    private static String readUntil(InputStream in, String marker) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (!out.toString(StandardCharsets.US_ASCII).contains(marker)) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            out.write(b);
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    private static String readToEnd(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }

    private double refused(String reason) throws Exception {
        String prefix = "ssecast_requests_refused_total{reason=\"" + reason + "\"} ";
        String scrape;
        try (Socket direct = new Socket()) { // not from 127.0.0.1, which must send a PROXY header
            direct.bind(new InetSocketAddress("127.0.0.9", 0));
            direct.connect(server.address(), 5000);
            direct.setSoTimeout(READ_TIMEOUT_MILLIS);
            direct.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            scrape = readToEnd(direct.getInputStream());
        }
        return scrape.lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).findFirst().orElseThrow();
    }

    @Test
    void limitsConnectionsPerRealClientBehindHaproxy() throws Exception {
        start();
        int v1 = haproxy.v1Port();
        Socket first = subscribe("127.0.0.2", v1, new StringBuilder());
        Socket second = subscribe("127.0.0.2", v1, new StringBuilder());
        StringBuilder third = new StringBuilder();
        Socket turnedAway = subscribe("127.0.0.2", v1, third);
        third.append(readToEnd(turnedAway.getInputStream()));
        assertThat(third.toString()).startsWith("HTTP/1.1 200 ").contains("text/event-stream")
                .containsPattern("retry: (\\d{4})\n").endsWith("0\r\n\r\n");
        int retry = Integer.parseInt(third.toString().replaceAll("(?s).*retry: (\\d+)\n.*", "$1"));
        assertThat(retry).as("--retry plus jitter").isBetween(1000, 2000);

        Socket elsewhere = subscribe("127.0.0.3", v1, new StringBuilder());
        Socket overV2 = subscribe("127.0.0.4", haproxy.v2Port(), new StringBuilder());
        assertThat(refused("per-address")).isEqualTo(1);

        String id = server.publishDirect("t", "hello").id(); // POST from 127.0.0.1 would need a PROXY header
        for (Socket served : List.of(first, second, elsewhere, overV2)) {
            assertThat(readUntil(served.getInputStream(), "data: hello\n")).as("served through HAProxy")
                    .contains("id: " + id + "\n");
        }
    }
}
