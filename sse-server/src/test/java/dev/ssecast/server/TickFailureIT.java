package dev.ssecast.server;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One failed tick must not stop delivery. The shaded jar with 96 MiB of direct memory holds 40 events of 1 MB;
 * 30 clients resume from the oldest id and never read (a tiny receive buffer), so their resume frames of 39 MB
 * each pin the direct memory and the ticks that build them fail with {@code OutOfMemoryError}. A new subscriber
 * must still get new events, and a client resuming (and reading) must get every event after its id, without a gap
 * or a duplicate, reconnecting with its last id if the server ends its stream.
 */
@Timeout(180)
class TickFailureIT {
    private static final Pattern ID = Pattern.compile("\\{\"id\":\"(\\d+)\"}");
    private static final int EVENT_BYTES = 1_000_000;
    private static final Duration NEW_EVENT_WITHIN = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aNewSubscriberAndAReadingResumerGetEveryNewEventWhileTicksFailForWantOfDirectMemory() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try (ServerProcess server = ServerProcess.startWithJvmOptions(List.of("-XX:MaxDirectMemorySize=96m"),
                Map.of(), "--host", "127.0.0.1", "--port", "0", "--max-event-bytes", "2MiB", "--replay", "100",
                "--replay-bytes", "64MiB", "--max-connections", "200")) {
            int port = server.port();
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            String big = "x".repeat(EVENT_BYTES);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                ids.add(publish(port, big));
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> metric(port, "ssecast_events_published_total") == ids.size());

            for (int i = 0; i < 30; i++) {
                Socket socket = new Socket();
                stalled.add(socket);
                socket.setReceiveBufferSize(1024);
                socket.connect(address, 5000);
                OutputStream out = socket.getOutputStream();
                out.write(("GET /events?topic=big HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                        + "Last-Event-ID: " + ids.get(0) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush(); // and never read
            }
            try (RawEventSource fresh = RawEventSource.open(address, "/events?topic=big", null);
                 RawEventSource resumer = RawEventSource.open(address, "/events?topic=big", ids.get(37))) {
                List<String> published = new CopyOnWriteArrayList<>(ids.subList(38, 40));
                // Publishes go on, as in production, until the new subscriber gets one (or the bound passes).
                try {
                    await().atMost(NEW_EVENT_WITHIN).pollInterval(Duration.ofMillis(250)).until(() -> {
                        published.add(publish(port, "new " + published.size()));
                        return messageIds(fresh).size() > 0;
                    });
                } catch (ConditionTimeoutException nothingDelivered) {
                    throw new AssertionError("a new subscriber got none of the " + (published.size() - 2)
                            + " events published (each answered 202) within " + NEW_EVENT_WITHIN + "; "
                            + diagnosis(server), nothingDelivered);
                }
                published.add(publish(port, "end"));
                String end = published.get(published.size() - 1);
                await().atMost(Duration.ofSeconds(60)).until(() -> messageIds(resumer).contains(end)
                        && messageIds(fresh).contains(end));

                assertThat(messageIds(resumer)).as("the resumer from %s: every event after it, once; %s",
                        ids.get(37), diagnosis(server)).isEqualTo(published);
                List<String> got = messageIds(fresh);
                int first = published.indexOf(got.get(0));
                assertThat(first).as("the new subscriber's first event %s is one published", got.get(0))
                        .isGreaterThanOrEqualTo(2);
                assertThat(got).as("the new subscriber: every event from its first one on, once")
                        .isEqualTo(published.subList(first, published.size()));
            }
            assertThat(server.stdout()).noneMatch(l -> l.contains("LEAK:"));
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    /** The ids of the messages the client got, in order. */
    private static List<String> messageIds(RawEventSource client) {
        return client.seen().stream().filter(s -> s.type().equals("message"))
                .map(RecordingEventSource.Seen::lastEventId).toList();
    }

    /** What the server log says about failed ticks, for a failure message. */
    private static String diagnosis(ServerProcess server) {
        List<String> out = server.stdout();
        long failed = out.stream().filter(l -> l.contains("tick failed")).count();
        String oom = out.stream().filter(l -> l.contains("OutOfMemoryError")).findFirst().orElse("none");
        return "server log: " + failed + " \"tick failed\" line(s), first OutOfMemoryError: " + oom;
    }

    private String publish(int port, String data) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/events?topic=big"))
                .POST(HttpRequest.BodyPublishers.ofString(data)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("publish answer: %s", response.body()).isEqualTo(202);
        Matcher id = ID.matcher(response.body());
        assertThat(id.matches()).as("body %s", response.body()).isTrue();
        return id.group(1);
    }

    private double metric(int port, String name) throws IOException, InterruptedException {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name));
    }
}
