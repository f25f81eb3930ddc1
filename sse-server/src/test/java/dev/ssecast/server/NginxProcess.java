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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * Debian's nginx in front of ssecast nodes, with the configuration docs/deploy.md gives (ports aside), in its own
 * prefix directory on a free loopback port. {@code X-Upstream} tells a test which node served a request; the
 * access log ({@link #accessLog()}) tells it which {@code Last-Event-ID} each request carried.
 */
final class NginxProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path dir;

    private NginxProcess(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    static NginxProcess start(List<Integer> nodePorts) throws IOException {
        Path binary = ExternalBinary.require("nginx", "nginx");
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path dir = Files.createTempDirectory("ssecast-nginx");
        String servers = nodePorts.stream()
                .map(p -> "        server 127.0.0.1:" + p + " max_fails=1 fail_timeout=5s;")
                .collect(Collectors.joining("\n"));
        Files.writeString(dir.resolve("nginx.conf"), """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 1024; }
                http {
                    log_format ssecast '$request_method $request_uri last-event-id="$http_last_event_id" '
                                       '$status upstream=$upstream_addr';
                    access_log %1$s/access.log ssecast;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;

                    upstream ssecast {
                %2$s
                        keepalive 16;
                    }

                    server {
                        listen 127.0.0.1:%3$d;

                        location /events {
                            proxy_pass http://ssecast;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_set_header Host localhost;
                            proxy_buffering off;
                            proxy_cache off;
                            gzip off;
                            proxy_read_timeout 1h;
                            proxy_send_timeout 1h;
                            proxy_next_upstream error timeout http_502 http_504;
                            add_header X-Upstream $upstream_addr always;
                        }

                        location / {
                            proxy_pass http://ssecast;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_set_header Host localhost;
                            add_header X-Upstream $upstream_addr always;
                        }
                    }
                }
                """.formatted(dir, servers, port));
        Process process = new ProcessBuilder(binary.toString(), "-p", dir.toString(),
                        "-c", dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        NginxProcess nginx = new NginxProcess(process, port, dir);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(nginx::accepts);
        return nginx;
    }

    int port() {
        return port;
    }

    /**
     * The access log so far, one line per finished request: {@code GET /events?topic=t last-event-id="<id>" 200
     * upstream=127.0.0.1:<port>}. nginx writes a stream's line when the stream ends.
     */
    List<String> accessLog() throws IOException {
        Path log = dir.resolve("access.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private boolean accepts() throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException("nginx exited: " + Files.readString(dir.resolve("error.log")));
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
