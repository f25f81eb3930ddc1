package dev.ssecast.server;

import dev.ssecast.core.testing.ExternalBinary;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * Debian's HAProxy in TCP mode in front of one ssecast node, on two free loopback ports: {@link #v1Port()} sends
 * a PROXY protocol v1 header ({@code send-proxy}), {@link #v2Port()} a v2 one ({@code send-proxy-v2}, with health
 * checks that send v2 {@code LOCAL}). Foreground ({@code -db}), stopped by {@link #close}.
 */
final class HaproxyProcess implements AutoCloseable {
    private final Process process;
    private final int v1Port;
    private final int v2Port;
    private final Path dir;

    private HaproxyProcess(Process process, int v1Port, int v2Port, Path dir) {
        this.process = process;
        this.v1Port = v1Port;
        this.v2Port = v2Port;
        this.dir = dir;
    }

    static HaproxyProcess start(int nodePort) throws IOException {
        Path binary = ExternalBinary.require("haproxy", "haproxy");
        int v1 = freePort();
        int v2 = freePort();
        Path dir = Files.createTempDirectory("ssecast-haproxy");
        Path config = dir.resolve("haproxy.cfg");
        Files.writeString(config, """
                global
                    maxconn 1000
                defaults
                    mode tcp
                    timeout connect 5s
                    timeout client 1h
                    timeout server 1h
                frontend v1
                    bind 127.0.0.1:%1$d
                    default_backend node_v1
                frontend v2
                    bind 127.0.0.1:%2$d
                    default_backend node_v2
                backend node_v1
                    server node 127.0.0.1:%3$d send-proxy
                backend node_v2
                    server node 127.0.0.1:%3$d send-proxy-v2 check check-send-proxy inter 500ms
                """.formatted(v1, v2, nodePort));
        Process process = new ProcessBuilder(binary.toString(), "-db", "-f", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("output.log").toFile())
                .start();
        HaproxyProcess haproxy = new HaproxyProcess(process, v1, v2, dir);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(haproxy::accepts);
        return haproxy;
    }

    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    int v1Port() {
        return v1Port;
    }

    int v2Port() {
        return v2Port;
    }

    private boolean accepts() throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException("haproxy exited: " + Files.readString(dir.resolve("output.log")));
        }
        for (int port : new int[]{v1Port, v2Port}) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            }
        }
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
