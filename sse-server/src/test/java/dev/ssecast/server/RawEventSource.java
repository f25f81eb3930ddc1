package dev.ssecast.server;

import dev.ssecast.core.SseDecoder;
import dev.ssecast.core.SseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An EventSource in Java over a plain socket, parsed by sse-core's {@link SseDecoder}: one {@code GET} at a time
 * with {@code Last-Event-ID} once it has one, the chunked body decoded as it arrives, and, when the stream ends or
 * fails, a reconnect after the last {@code retry:} the server sent (3 s before any), as the WHATWG EventSource
 * does. A non-200 answer is an error and ends it, as in a browser. One thread of its own, started at once.
 *
 * <p>The last event id outlives a connection, as in Chromium, whose parser of a new connection starts from it: a
 * connection's id is taken over when its decoder ended with a non-empty one (the server never sends an empty
 * {@code id:}, which would clear it).
 */
final class RawEventSource implements RecordingEventSource {
    private final InetSocketAddress server;
    private final String pathAndQuery;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<String> sentLastEventIds = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread thread;
    private volatile Socket socket;
    private volatile String lastEventId;
    private volatile long retryMillis = 3000;

    private RawEventSource(InetSocketAddress server, String pathAndQuery, String lastEventId) {
        this.server = server;
        this.pathAndQuery = pathAndQuery;
        this.lastEventId = lastEventId;
        this.thread = new Thread(this::run, "raw-event-source");
        this.thread.setDaemon(true);
    }

    /** Connects to {@code server} for {@code pathAndQuery}, resuming after {@code lastEventId} (null: none). */
    static RawEventSource open(InetSocketAddress server, String pathAndQuery, String lastEventId) {
        RawEventSource source = new RawEventSource(server, pathAndQuery, lastEventId);
        source.thread.start();
        return source;
    }

    @Override
    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** The {@code Last-Event-ID} each connection attempt sent, in order ("" for none). */
    List<String> sentLastEventIds() {
        return List.copyOf(sentLastEventIds);
    }

    /** The last event id now: what the next reconnect sends. */
    String lastEventId() {
        return lastEventId;
    }

    private void run() {
        while (closed.getCount() > 0) {
            boolean reconnect = connectOnce();
            if (!reconnect) {
                return;
            }
            try {
                if (closed.await(retryMillis, TimeUnit.MILLISECONDS)) { // the reconnection delay, cut short by close
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One connection, to its end; returns whether to reconnect. */
    private boolean connectOnce() {
        SseDecoder decoder = new SseDecoder(new SseDecoder.Listener() {
            @Override
            public void onEvent(SseEvent event) {
                seen.add(new Seen(event.type() == null ? "message" : event.type(), event.data(),
                        event.id() == null ? (lastEventId == null ? "" : lastEventId) : event.id()));
            }

            @Override
            public void onRetry(Duration retry) {
                retryMillis = retry.toMillis();
            }
        }, 4 << 20);
        String sent = lastEventId == null || lastEventId.isEmpty() ? "" : lastEventId;
        try (Socket s = new Socket()) {
            socket = s;
            if (closed.getCount() == 0) {
                return false;
            }
            s.connect(server, 10_000);
            OutputStream out = s.getOutputStream();
            sentLastEventIds.add(sent);
            out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + server.getHostString() + ":"
                    + server.getPort() + "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n"
                    + (sent.isEmpty() ? "" : "Last-Event-ID: " + sent + "\r\n") + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            String status = readLine(in);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            if (status == null || !status.startsWith("HTTP/1.1 200")) {
                seen.add(new Seen("error", status, null));
                return false; // a browser fails the connection and does not reconnect
            }
            seen.add(new Seen("open", null, null));
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                readChunks(in, decoder);
            } else {
                byte[] buf = new byte[8192];
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    decode(decoder, buf, n);
                }
            }
        } catch (IOException endedOrRefused) {
            // an error like the end: reconnect
        } finally {
            socket = null;
            if (!decoder.lastEventId().isEmpty()) {
                lastEventId = decoder.lastEventId();
            }
        }
        if (closed.getCount() == 0) {
            return false;
        }
        seen.add(new Seen("error", null, null));
        return true;
    }

    private static void readChunks(InputStream in, SseDecoder decoder) throws IOException {
        byte[] buf = new byte[8192];
        while (true) {
            String size = readLine(in);
            if (size == null) {
                return;
            }
            int semicolon = size.indexOf(';');
            long remaining = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (remaining == 0) {
                return; // the last chunk: the server ended the stream
            }
            while (remaining > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, remaining));
                if (n < 0) {
                    return;
                }
                decode(decoder, buf, n);
                remaining -= n;
            }
            readLine(in); // the CRLF after the chunk
        }
    }

    private static void decode(SseDecoder decoder, byte[] bytes, int length) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes, 0, length);
        try {
            decoder.decode(buf);
        } finally {
            buf.release();
        }
    }

    /** A line ended by CRLF or LF, without it; null at the end of the stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.US_ASCII);
            }
            line.write(b);
        }
        return null;
    }

    @Override
    public void close() {
        closed.countDown();
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
