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
 * (retry fields, events, comments, a last event id set without an event, the end); tests await items under a
 * timeout and never sleep.
 *
 * <p>The body is fed to the decoder one line at a time, so that after each line the decoder's
 * {@linkplain SseDecoder#lastEventId() last event id} can be compared: a blank line that changed it without
 * dispatching an event (an {@code id:} block with no data, such as a priming id or a heartbeat's id) is queued as
 * an {@link Kind#ID} item. {@link #next()} and the other awaits skip those items as they skip comments; only
 * {@link #awaitLastEventId} looks at them.
 */
final class EventStream implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** One thing seen on the stream. */
    record Item(Kind kind, SseEvent event, Duration retry, String comment, String lastEventId) {
        Item(Kind kind, SseEvent event, Duration retry, String comment) {
            this(kind, event, retry, comment, null);
        }
    }

    /** {@code ID}: a blank line set the last event id ({@link Item#lastEventId()}) and dispatched nothing. */
    enum Kind { RETRY, EVENT, COMMENT, ID, END }

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
    private final Thread reader;
    /** The decoder's last event id after the last line read; written by the reader thread only. */
    private volatile String lastEventId = "";
    /** The last event id as of the items the test has consumed; test thread only. */
    private String consumedLastEventId = "";

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
        boolean[] dispatched = new boolean[1];
        SseDecoder decoder = new SseDecoder(new SseDecoder.Listener() {
            @Override
            public void onEvent(SseEvent event) {
                dispatched[0] = true;
                items.add(new Item(Kind.EVENT, event, null, null, event.id() == null ? "" : event.id()));
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
                int from = 0;
                while (from < n) {
                    int to = from;
                    while (to < n && chunk[to] != '\n' && chunk[to] != '\r') {
                        to++;
                    }
                    to = Math.min(n, to + 1); // up to and including one line end (a CR LF pair may be split)
                    dispatched[0] = false;
                    ByteBuf line = Unpooled.wrappedBuffer(chunk, from, to - from);
                    decoder.decode(line);
                    line.release();
                    String id = decoder.lastEventId();
                    if (!dispatched[0] && !id.equals(lastEventId)) {
                        items.add(new Item(Kind.ID, null, null, null, id));
                    }
                    lastEventId = id;
                    from = to;
                }
            }
        } catch (IOException closedOrFailed) {
            // the end is the same to the test: recorded below
        } finally {
            items.add(new Item(Kind.END, null, null, null));
        }
    }

    /**
     * The next item that is neither a comment nor an id, within {@link #TIMEOUT} however many of those come first.
     */
    Item next() throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            Item item = take(deadline, "an item other than a comment or an id");
            if (item.kind() != Kind.COMMENT && item.kind() != Kind.ID) {
                return item;
            }
        }
    }

    private Item take(long deadline, String what) throws InterruptedException {
        Item item = items.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        assertThat(item).as("%s on the stream within %s (last event id so far \"%s\")", what, TIMEOUT,
                consumedLastEventId).isNotNull();
        if (item.lastEventId() != null) {
            consumedLastEventId = item.lastEventId();
        }
        return item;
    }

    /**
     * The client's last event id as of the items consumed so far: what an EventSource would send as
     * {@code Last-Event-ID} if the stream ended here.
     */
    String lastEventId() {
        return consumedLastEventId;
    }

    /**
     * Waits until the last event id is {@code expected}, consuming comments and ids; fails if an event, a retry
     * or the end comes first, or nothing sets it within {@link #TIMEOUT}. Returns at once if it already is.
     */
    void awaitLastEventId(String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!expected.equals(consumedLastEventId)) {
            Item item = take(deadline, "an id block setting the last event id to \"" + expected + "\"");
            assertThat(item.kind()).as("an id block setting the last event id to \"%s\" before anything else, "
                    + "but got %s (last event id now \"%s\")", expected, item, consumedLastEventId)
                    .isIn(Kind.COMMENT, Kind.ID);
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
            Item item = take(System.nanoTime() + TIMEOUT.toNanos(), "a comment");
            if (item.kind() == Kind.ID) {
                continue; // a heartbeat may carry the newest id
            }
            assertThat(item.kind()).as("an idle stream carries only comments").isEqualTo(Kind.COMMENT);
            return item.comment();
        }
    }

    void awaitEnd() throws InterruptedException {
        Item item = next();
        assertThat(item.kind()).as("next item (%s)", item).isEqualTo(Kind.END);
    }

    /** Asserts that nothing but comments and ids has been seen beyond what was awaited. */
    void assertNoMoreEvents() {
        assertThat(items).allSatisfy(item -> assertThat(item.kind()).isIn(Kind.COMMENT, Kind.ID));
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
