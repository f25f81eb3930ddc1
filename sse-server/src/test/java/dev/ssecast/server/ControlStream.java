package dev.ssecast.server;

import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.testing.EventRecorder;
import dev.ssecast.core.testing.SseTestClient;
import io.netty.channel.EventLoopGroup;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The control subscriber of {@link AdversarialIT}: one stream of one topic that must receive every event accepted
 * for that topic, in id order, with no gap, no duplicate and nothing else, whatever the server is put through
 * meanwhile. Every {@code 202} for the topic is an expected event: those of {@link #publish}, those a case reports
 * through {@link #expect}, and those of the background publisher ({@link #startPublishing}), which publishes the
 * numbered events {@code 1, 2, 3, ...} on a connection of its own. {@link #assertExact} compares decoded events
 * only, so that priming {@code id:} lines and heartbeats (which dispatch no event) never matter.
 *
 * <p>Thread-safe: the publisher thread and the test thread both record expectations.
 */
final class ControlStream implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern ID = Pattern.compile("\\{\"id\":\"([0-9-]+)\"}");
    private static final long PUBLISH_EVERY_MILLIS = 10;

    private final URI base;
    private final String topic;
    private final SseTestClient client;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** Accepted events by id, in the broadcaster's id order: what the stream must carry. Guarded by itself. */
    private final TreeMap<String, String> expected = new TreeMap<>(SseBroadcaster::compareIds);
    private final List<String> publisherFailures = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService publisher;
    /** Events awaited on the recorder so far; only {@link #assertExact} uses it. */
    private int awaited;
    /** The last number the background publisher used; only its thread writes it while it runs. */
    private volatile int numbered;

    private ControlStream(URI base, String topic, SseTestClient client) {
        this.base = base;
        this.topic = topic;
        this.client = client;
    }

    /** Subscribes to {@code topic} of the server at {@code port}; returns once the stream's retry line arrived. */
    static ControlStream open(EventLoopGroup group, int port, String topic) {
        SseTestClient client = SseTestClient.builder(group, port).path("/events?topic=" + topic).connect();
        client.awaitOpen(TIMEOUT);
        client.recorder().awaitRetry(TIMEOUT);
        return new ControlStream(URI.create("http://127.0.0.1:" + port), topic, client);
    }

    String topic() {
        return topic;
    }

    EventRecorder recorder() {
        return client.recorder();
    }

    /** Records that {@code data} was accepted with {@code id} for this topic (by a case's own request). */
    void expect(String id, String data) {
        synchronized (expected) {
            assertThat(expected.put(id, data)).as("id %s accepted twice", id).isNull();
        }
    }

    /** The id of a {@code 202} body {@code {"id":"<id>"}}. */
    static String idOf(String body) {
        Matcher id = ID.matcher(body.trim());
        assertThat(id.matches()).as("a 202 body: %s", body).isTrue();
        return id.group(1);
    }

    /** Publishes {@code data} to the topic, asserts the 202 and expects the event; returns its id. */
    String publish(String data) throws IOException, InterruptedException {
        HttpResponse<String> response = post(data);
        assertThat(response.statusCode()).as("publish %s: %s", data, response.body()).isEqualTo(202);
        String id = idOf(response.body());
        expect(id, data);
        return id;
    }

    /** Publishes {@code data}: the id on 202 (then expected), or null on 503 (nothing was accepted). */
    String tryPublish(String data) throws IOException, InterruptedException {
        HttpResponse<String> response = post(data);
        if (response.statusCode() == 503) {
            return null;
        }
        assertThat(response.statusCode()).as("publish %s: %s", data, response.body()).isEqualTo(202);
        String id = idOf(response.body());
        expect(id, data);
        return id;
    }

    private HttpResponse<String> post(String data) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve("/events?topic=" + topic))
                .POST(HttpRequest.BodyPublishers.ofString(data)).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Starts publishing the next numbered events, one every {@value #PUBLISH_EVERY_MILLIS} ms (no-op if running). */
    synchronized void startPublishing() {
        if (publisher != null) {
            return;
        }
        publisher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "control-publisher");
            thread.setDaemon(true);
            return thread;
        });
        publisher.scheduleWithFixedDelay(this::publishNext, 0, PUBLISH_EVERY_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void publishNext() {
        String data = Integer.toString(numbered + 1);
        try {
            HttpResponse<String> response = post(data);
            if (response.statusCode() == 202) {
                expect(idOf(response.body()), data);
            } else {
                publisherFailures.add(data + ": " + response.statusCode() + " " + response.body());
            }
        } catch (IOException | RuntimeException | Error e) {
            publisherFailures.add(data + ": " + e); // accepted or not, nobody knows: the case fails
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            publisherFailures.add(data + ": interrupted");
        }
        numbered++;
    }

    /** Stops the background publisher once its publish in flight (if any) is answered. Idempotent. */
    synchronized void stopPublishing() throws InterruptedException {
        if (publisher == null) {
            return;
        }
        publisher.shutdown();
        assertThat(publisher.awaitTermination(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .as("the control publisher stopped").isTrue();
        publisher = null;
    }

    /** How many numbered events the background publisher has sent so far. */
    int numbered() {
        return numbered;
    }

    /**
     * Asserts that the stream carried exactly the events accepted so far, in id order, each once, and is still
     * open; call it while nothing is being published. Awaits the stragglers first.
     */
    void assertExact() {
        assertThat(publisherFailures).as("publishes of the control publisher that were not a 202").isEmpty();
        List<String> want = new ArrayList<>();
        synchronized (expected) {
            for (Map.Entry<String, String> e : expected.entrySet()) {
                want.add(e.getKey() + " " + e.getValue());
            }
        }
        EventRecorder recorder = client.recorder();
        AssertionError notAll = null;
        try {
            recorder.awaitEvents(want.size() - awaited, TIMEOUT); // fails at once if the stream closed or failed
            awaited = want.size();
        } catch (AssertionError e) {
            notAll = e; // the comparison below names what is missing; this says why the wait ended
        }
        List<String> got = new ArrayList<>();
        for (SseEvent event : recorder.events()) {
            got.add(event.id() + " " + event.data() + (event.type() == null ? "" : " (type " + event.type() + ")"));
        }
        assertThat(got).as("the control stream of topic %s: every accepted event in order, nothing else", topic)
                .containsExactlyElementsOf(want);
        if (notAll != null) {
            throw notAll;
        }
        recorder.assertNoMoreEvents();
        assertThat(recorder.isClosed()).as("the control stream is still open").isFalse();
    }

    @Override
    public void close() throws InterruptedException {
        stopPublishing();
        client.close();
    }
}
