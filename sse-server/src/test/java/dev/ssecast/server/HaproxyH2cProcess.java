package dev.ssecast.server;

import dev.ssecast.core.testing.ExternalBinary;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;

/**
 * Debian's HAProxy in HTTP mode in front of ssecast nodes, each reached over h2c with prior knowledge
 * ({@code proto h2}) and {@code http-reuse always}, so that the streams of every client share a few upstream
 * connections. The configuration is the one for docs/deploy.md, ports and test-only lines aside. Servers are
 * named {@code n1}, {@code n2}, ... in the order of the ports given; {@code X-Upstream} on each response names the
 * one that served it. Foreground ({@code -db}), stopped by {@link #close}.
 */
final class HaproxyH2cProcess implements AutoCloseable {
    /**
     * {@code %1$s} and {@code %4$s} the lines only a test needs, {@code %2$d} the port, {@code %3$s} the server
     * lines. The rest is the configuration docs/deploy.md is to give, line for line.
     */
    private static final String CONFIG = """
            global
                maxconn 4000
                # HAProxy 2.6 caps the streams of each upstream h2 connection at this (default 100),
                # whatever SETTINGS_MAX_CONCURRENT_STREAMS a node sends (1000); it also caps the streams of
                # one h2 client connection (later versions split it: tune.h2.be.max-concurrent-streams).
                tune.h2.max-concurrent-streams 1000
            %1$s
            defaults
                mode http
                maxconn 4000
                timeout connect 5s
                # above the nodes' --heartbeat (15s by default): an idle stream is never cut
                timeout client 1h
                timeout server 1h
                timeout tunnel 1h
                timeout http-request 10s
                timeout http-keep-alive 10s
                retries 3
                option redispatch 1
                # the default, said out loud: a request is forwarded as it arrives
                no option http-buffer-request
            frontend events
                bind 127.0.0.1:%2$d
            %4$s
                default_backend ssecast
            backend ssecast
                balance leastconn
                # a stream of any client may go on any upstream connection with a free stream slot; with the
                # default (safe) each client's first request, here its only one, gets a connection of its own
                http-reuse always
                option forwardfor
                # a draining node answers 503 at once; checks over HTTP/1.1 stay out of its h2 connection count
                option httpchk GET /readyz
                http-check expect status 200
                default-server inter 1s fall 3 rise 2 check-proto h1
            %3$s
            """;
    /** What only a test needs in {@code global}: a log on stdout, the stats socket for {@link #command}. */
    private static final String TEST_GLOBAL = """
                log stdout format raw local0
                stats socket %s level admin""";
    /** What only a test needs in the frontend: a log line for each request, which node served a response. */
    private static final String TEST_FRONTEND = """
                log global
                option httplog
                http-response set-header x-upstream %[srv_name]""";

    private final Process process;
    private final int port;
    private final Path dir;

    private HaproxyH2cProcess(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    static HaproxyH2cProcess start(List<Integer> nodePorts) throws IOException {
        Path binary = ExternalBinary.require("haproxy", "haproxy");
        int port = HaproxyProcess.freePort();
        Path dir = Files.createTempDirectory("ssecast-haproxy-h2c");
        String servers = IntStream.range(0, nodePorts.size())
                .mapToObj(i -> "    server n" + (i + 1) + " 127.0.0.1:" + nodePorts.get(i)
                        + " proto h2 check")
                .collect(Collectors.joining("\n"));
        Path config = dir.resolve("haproxy.cfg");
        Files.writeString(config, CONFIG.formatted(TEST_GLOBAL.formatted(dir.resolve("admin.sock")), port,
                servers, TEST_FRONTEND));
        Process process = new ProcessBuilder(binary.toString(), "-db", "-f", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("output.log").toFile())
                .start();
        HaproxyH2cProcess haproxy = new HaproxyH2cProcess(process, port, dir);
        await().atMost(Duration.ofSeconds(10)).ignoreException(ConnectException.class)
                .until(haproxy::accepts); // an exit fails at once, with its output
        return haproxy;
    }

    int port() {
        return port;
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** The server's name ({@code n1}, ...) for the node on the {@code index}th port given to {@link #start}. */
    static String serverName(int index) {
        return "n" + (index + 1);
    }

    /**
     * A command on the stats socket, e.g. {@code show servers conn ssecast}: HAProxy's own count of its connections
     * to each server (used, idle, safe, ...), a cross-check of what the nodes count.
     */
    String command(String command) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(dir.resolve("admin.sock")));
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            StringBuilder answer = new StringBuilder();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                answer.append(StandardCharsets.US_ASCII.decode(buffer));
                buffer.clear();
            }
            return answer.toString();
        }
    }

    String output() throws IOException {
        return Files.readString(dir.resolve("output.log"));
    }

    private boolean accepts() throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException("haproxy exited: " + output());
        }
        try (Socket socket = new Socket()) {
            socket.connect(address(), 500);
        }
        return Files.exists(dir.resolve("admin.sock"));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
