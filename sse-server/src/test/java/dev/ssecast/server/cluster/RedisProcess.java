package dev.ssecast.server.cluster;

import dev.ssecast.core.testing.ExternalBinary;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A throwaway {@code redis-server} on a free loopback port, without persistence, for tests. It can be stopped and
 * started again on the same port, as an operator's restart would.
 */
public final class RedisProcess implements AutoCloseable {
    private final int port;
    private final Path dir;
    private Process process;

    private RedisProcess(int port) throws IOException {
        this.port = port;
        this.dir = Files.createTempDirectory("ssecast-redis");
    }

    /** Starts redis-server on a free port and waits until it answers PING. */
    public static RedisProcess start() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        RedisProcess redis = new RedisProcess(port);
        redis.startAgain();
        return redis;
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    /** Starts the server again on the same port (empty: nothing is persisted). */
    public void startAgain() throws IOException {
        Path binary = ExternalBinary.require("redis-server", "redis-server");
        process = new ProcessBuilder(binary.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(this::answersPing);
    }

    /** Stops the server and waits until the port is closed. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /**
     * {@code XADD key * field value ...} as another producer would send it, bytes as given (so a test can add what
     * this server would never write); returns the entry id.
     */
    public String xadd(String key, Object... fieldsAndValues) throws IOException {
        java.io.ByteArrayOutputStream command = new java.io.ByteArrayOutputStream();
        byte[][] args = new byte[fieldsAndValues.length + 3][];
        args[0] = "XADD".getBytes(StandardCharsets.US_ASCII);
        args[1] = key.getBytes(StandardCharsets.UTF_8);
        args[2] = "*".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < fieldsAndValues.length; i++) {
            Object arg = fieldsAndValues[i];
            args[i + 3] = arg instanceof byte[] ? (byte[]) arg : String.valueOf(arg).getBytes(StandardCharsets.UTF_8);
        }
        command.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] arg : args) {
            command.write(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            command.write(arg);
            command.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(command.toByteArray());
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String head = in.readLine();
            if (head == null || !head.startsWith("$")) {
                throw new IOException("XADD answered " + head);
            }
            return in.readLine();
        }
    }

    private boolean answersPing() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int n = in.readNBytes(reply, 0, 7);
            return n == 7 && new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
