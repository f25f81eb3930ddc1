package dev.ssecast.server;

import dev.ssecast.core.SseDecoder;
import dev.ssecast.core.SseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A recorder of one event stream read with the JDK's {@link HttpClient}, in the manner of okhttp-sse's
 * {@code EventSourceRecorder}: a reader thread decodes the body with {@link SseDecoder} and queues what it sees
 * (retry fields, events, comments, the end); tests await items under a timeout and never sleep.
 */
final class EventStream implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** One thing seen on the stream. */
    record Item(Kind kind, SseEvent event, Duration retry, String comment) {
    }

    enum Kind { RETRY, EVENT, COMMENT, END }

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
    private final Thread reader;

    private EventStream(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = new Thread(this::read, "event-stream-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Opens {@code base + pathAndQuery} with {@code headers}; returns once the response head has arrived. */
    static EventStream open(HttpClient client, URI base, String pathAndQuery, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(pathAndQuery)).GET()
                .header("Accept", "text/event-stream");
        headers.forEach(request::header);
        return new EventStream(client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    static EventStream open(HttpClient client, URI base, String pathAndQuery)
            throws IOException, InterruptedException {
        return open(client, base, pathAndQuery, Map.of());
    }

    HttpResponse<InputStream> response() {
        return response;
    }

    private void read() {
        SseDecoder decoder = new SseDecoder(new SseDecoder.Listener() {
            @Override
            public void onEvent(SseEvent event) {
                items.add(new Item(Kind.EVENT, event, null, null));
            }

            @Override
            public void onComment(String comment) {
                items.add(new Item(Kind.COMMENT, null, null, comment));
            }

            @Override
            public void onRetry(Duration retry) {
                items.add(new Item(Kind.RETRY, null, retry, null));
            }
        });
        byte[] chunk = new byte[8192];
        try (InputStream in = response.body()) {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                ByteBuf buf = Unpooled.wrappedBuffer(chunk, 0, n);
                decoder.decode(buf);
                buf.release();
            }
        } catch (IOException closedOrFailed) {
            // the end is the same to the test: recorded below
        } finally {
            items.add(new Item(Kind.END, null, null, null));
        }
    }

    /** The next item that is not a comment, within {@link #TIMEOUT} however many comments come first. */
    Item next() throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            Item item = items.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertThat(item).as("an item other than a comment on the stream within %s", TIMEOUT).isNotNull();
            if (item.kind() != Kind.COMMENT) {
                return item;
            }
        }
    }

    Duration awaitRetry() throws InterruptedException {
        Item item = next();
        assertThat(item.kind()).as("next item").isEqualTo(Kind.RETRY);
        return item.retry();
    }

    SseEvent awaitEvent() throws InterruptedException {
        Item item = next();
        assertThat(item.kind()).as("next item (%s)", item).isEqualTo(Kind.EVENT);
        return item.event();
    }

    List<SseEvent> awaitEvents(int count) throws InterruptedException {
        List<SseEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(awaitEvent());
        }
        return events;
    }

    /** Awaits the next event with data {@code data}, collecting the events before it. */
    List<SseEvent> eventsUntil(String data) throws InterruptedException {
        List<SseEvent> before = new ArrayList<>();
        while (true) {
            SseEvent event = awaitEvent();
            if (data.equals(event.data())) {
                return before;
            }
            before.add(event);
        }
    }

    String awaitComment() throws InterruptedException {
        while (true) {
            Item item = items.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(item).as("a comment on the stream within %s", TIMEOUT).isNotNull();
            assertThat(item.kind()).as("an idle stream carries only comments").isEqualTo(Kind.COMMENT);
            return item.comment();
        }
    }

    void awaitEnd() throws InterruptedException {
        Item item = next();
        assertThat(item.kind()).as("next item (%s)", item).isEqualTo(Kind.END);
    }

    /** Asserts that nothing but comments has been seen beyond what was awaited. */
    void assertNoMoreEvents() {
        assertThat(items).allSatisfy(item -> assertThat(item.kind()).isEqualTo(Kind.COMMENT));
    }

    @Override
    public void close() {
        try {
            response.body().close();
            reader.join(TIMEOUT.toMillis());
        } catch (IOException ignored) {
            // closing a stream the server already ended
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
