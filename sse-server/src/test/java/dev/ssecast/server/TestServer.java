package dev.ssecast.server;

import dev.ssecast.core.PublishResult;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** A real server started in this JVM on a free loopback port, with an HTTP/1.1 client to talk to it. */
final class TestServer implements AutoCloseable {
    private static final Pattern ID = Pattern.compile("\\{\"id\":\"(\\d+(?:-\\d+)?)\"}");

    final SseServer server;
    final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** Events accepted through {@link #publish}; {@link #awaitTicked} waits for the broadcaster to tick them. */
    private final java.util.concurrent.atomic.AtomicLong accepted = new java.util.concurrent.atomic.AtomicLong();

    private TestServer(SseServer server) {
        this.server = server;
    }

    /** Starts a server on 127.0.0.1 (and a free port unless {@code args} name one), with no environment. */
    static TestServer start(String... args) {
        List<String> all = new ArrayList<>(List.of("--host", "127.0.0.1"));
        all.addAll(List.of(args));
        if (!all.contains("--port")) {
            all.addAll(List.of("--port", "0"));
        }
        if (!all.contains("--max-connections")) {
            all.addAll(List.of("--max-connections", "5000")); // well below the limit: no warning in test logs
        }
        return new TestServer(SseServer.start(ServerOptions.parse(Map.of(), all.toArray(String[]::new))));
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.address().getPort() + "/");
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.address().getPort());
    }

    EventStream stream(String pathAndQuery) throws IOException, InterruptedException {
        return EventStream.open(client, base(), pathAndQuery);
    }

    EventStream stream(String pathAndQuery, Map<String, String> headers) throws IOException, InterruptedException {
        return EventStream.open(client, base(), pathAndQuery, headers);
    }

    /**
     * Opens a stream on a connection of its own, for a stream the server will end: the end of its chunked body
     * tells a client the connection is reusable, and {@link #client} could pick it, just closed, for a POST.
     */
    EventStream streamAlone(String pathAndQuery) throws IOException, InterruptedException {
        HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return EventStream.open(own, base(), pathAndQuery);
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(base().resolve(pathAndQuery)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String pathAndQuery, String body, String... headers)
            throws IOException, InterruptedException {
        return post(pathAndQuery, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    HttpResponse<String> post(String pathAndQuery, byte[] body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base().resolve(pathAndQuery))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Publishes {@code data} to {@code topic} (with {@code headers}, e.g. an {@code Authorization}) and returns the
     * event's id, asserting the 202.
     */
    String publish(String topic, String data, String... headers) throws IOException, InterruptedException {
        HttpResponse<String> response = post("/events?topic=" + topic, data, headers);
        assertThat(response.statusCode()).as("publish answer: %s", response.body()).isEqualTo(202);
        accepted.incrementAndGet();
        Matcher id = ID.matcher(response.body());
        assertThat(id.matches()).as("body %s", response.body()).isTrue();
        return id.group(1);
    }

    /**
     * Waits until every event accepted through {@link #publish} has been ticked into the replay window. An accepted
     * event that is not yet ticked reaches a stream admitted in the same tick live, whatever its Last-Event-ID.
     */
    void awaitTicked() {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> server.broadcaster().eventsPublished() >= accepted.get());
    }

    /**
     * The value of one sample of /metrics: {@code name} alone for a metric without labels, or
     * {@code name{label="value"}}; fails when there is no such line.
     */
    double metric(String sample) throws IOException, InterruptedException {
        Matcher value = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$")
                .matcher(get("/metrics").body());
        assertThat(value.find()).as("%s in /metrics", sample).isTrue();
        return Double.parseDouble(value.group(1));
    }

    /** Publishes straight to the broadcaster, bypassing HTTP. */
    PublishResult publishDirect(String topic, String data) {
        return server.broadcaster().publish(topic, dev.ssecast.core.SseEvent.ofData(data));
    }

    RawConnection raw() throws IOException {
        return new RawConnection(address());
    }

    @Override
    public void close() {
        server.close();
        server.terminated().join();
    }
}
