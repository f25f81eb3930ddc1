package dev.ssecast.core;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * Parses a {@code text/event-stream} byte stream as the WHATWG HTML Living Standard says (section 9.2.6,
 * "Interpreting an event stream"), across arbitrary buffer splits; single thread: the caller of
 * {@link #decode(ByteBuf)}, on which the {@link Listener} is called too.
 *
 * <p>The spec's algorithm, and what this decoder adds to it:
 * <ul>
 *   <li>One UTF-8 byte order mark at the very start of the stream is skipped (a later one is content).</li>
 *   <li>Lines end at CRLF, LF or CR; a CR ending one buffer and an LF starting the next are one line end.</li>
 *   <li>Each line is decoded as UTF-8, malformed bytes becoming U+FFFD.</li>
 *   <li>A blank line dispatches: the last event id is set from the id buffer and kept across events; without
 *       data nothing is dispatched, but the event type is still reset.</li>
 *   <li>{@code retry} with only ASCII digits is reported to {@link Listener#onRetry(Duration)} at once; it is also
 *       put on the event of the same block (a convenience beyond the spec, so that a decoded event equals the
 *       encoded one), and forgotten at the blank line. A value beyond {@link Long#MAX_VALUE} ms is ignored.</li>
 *   <li>Comments are reported to {@link Listener#onComment(String)}; {@link SseEvent#comment()} is always
 *       {@code null} on decoded events.</li>
 *   <li>A line longer than the limit throws {@link TooLongFrameException}; see {@link #decode(ByteBuf)}.</li>
 * </ul>
 * An event not followed by its blank line when the stream ends is never dispatched, as the spec says.
 */
public final class SseDecoder {

    /** Receives what the stream dispatches. Called on the thread that calls {@link SseDecoder#decode(ByteBuf)}. */
    public interface Listener {

        /**
         * A dispatched event: {@link SseEvent#id()} is the last event id ({@code null} when it is empty),
         * {@link SseEvent#type()} is {@code null} for the default {@code "message"}, {@link SseEvent#retry()} is
         * a valid {@code retry} of the same block, and {@link SseEvent#comment()} is {@code null}.
         */
        void onEvent(SseEvent event);

        /** A comment line's text, without the colon and one leading space. */
        default void onComment(String comment) {
        }

        /** A valid {@code retry} field: the reconnection time the server asks for. */
        default void onRetry(Duration retry) {
        }
    }

    /** The line limit of {@link #SseDecoder(Listener)}: 1 MiB. */
    public static final int DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final byte[] DATA = {'d', 'a', 't', 'a'};
    private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't'};
    private static final byte[] ID = {'i', 'd'};
    private static final byte[] RETRY = {'r', 'e', 't', 'r', 'y'};
    private static final int INITIAL_LINE_BYTES = 256;

    private final Listener listener;
    private final int maxLineBytes;
    private final StringBuilder data = new StringBuilder();

    private byte[] line = new byte[INITIAL_LINE_BYTES];
    private int lineLength;
    /** BOM bytes matched at the start of the stream; -1 once the start is behind us. */
    private int bomMatched;
    /** The previous line ended in CR, so an LF starting the next buffer ends nothing. */
    private boolean skipLf;
    /** The rest of a too-long line is being skipped. */
    private boolean discardingLine;
    /** The lines of an event with a too-long line are being skipped until its blank line. */
    private boolean discardingEvent;
    private String type = "";
    private String lastEventIdBuffer = "";
    private String lastEventId = "";
    private Duration blockRetry;

    /** Creates a decoder with lines of up to {@link #DEFAULT_MAX_LINE_BYTES}. */
    public SseDecoder(Listener listener) {
        this(listener, DEFAULT_MAX_LINE_BYTES);
    }

    /**
     * Creates a decoder with lines of up to {@code maxLineBytes} bytes, terminator not counted.
     *
     * @throws IllegalArgumentException if {@code maxLineBytes} is not positive
     */
    public SseDecoder(Listener listener, int maxLineBytes) {
        if (listener == null) {
            throw new NullPointerException("listener");
        }
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be >= 1, was " + maxLineBytes);
        }
        this.listener = listener;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Consumes all readable bytes of {@code in} (advances its reader index), calling the listener for what they
     * complete; a partial line is kept for the next call. Does not retain or release {@code in}; the caller owns it.
     *
     * @throws TooLongFrameException if a line exceeds the limit; {@code in}'s reader index is then just past the
     *                               byte that exceeded it, and decoding may go on: the rest of that line and
     *                               the event it belongs to are skipped up to the event's blank line
     */
    public void decode(ByteBuf in) {
        while (in.isReadable()) {
            if (bomMatched >= 0 && !skipBom(in)) {
                continue;
            }
            if (skipLf) {
                skipLf = false;
                if (in.getByte(in.readerIndex()) == '\n') {
                    in.skipBytes(1);
                    continue;
                }
            }
            int from = in.readerIndex();
            int eol = in.forEachByte(from, in.writerIndex() - from, ByteProcessor.FIND_CRLF);
            int to = eol < 0 ? in.writerIndex() : eol;
            if (discardingLine) {
                in.readerIndex(to);
            } else if (to - from > maxLineBytes - lineLength) {
                tooLong(in, from, to, eol >= 0);
            } else {
                appendToLine(in, from, to - from);
            }
            if (eol < 0) {
                return;
            }
            skipLf = in.readByte() == '\r';
            if (discardingLine) {
                discardingLine = false;
            } else {
                processLine();
            }
        }
    }

    /**
     * The last event id as of the last dispatch (the spec's "last event ID string", which a reconnecting client
     * sends as {@code Last-Event-ID}): {@code ""} if none. An {@code id} field counts from its event's blank line.
     */
    public String lastEventId() {
        return lastEventId;
    }

    /** Matches one byte against the BOM; returns true when the start of the stream is settled. */
    private boolean skipBom(ByteBuf in) {
        byte b = in.getByte(in.readerIndex());
        if (b == BOM[bomMatched]) {
            in.skipBytes(1);
            bomMatched++;
            if (bomMatched == BOM.length) {
                bomMatched = -1;
            }
            return false;
        }
        // not a BOM after all: the bytes matched so far are the start of the first line
        System.arraycopy(BOM, 0, line, 0, bomMatched);
        lineLength = bomMatched;
        bomMatched = -1;
        return true;
    }

    private void appendToLine(ByteBuf in, int from, int length) {
        int needed = lineLength + length;
        if (needed > line.length) {
            line = Arrays.copyOf(line, (int) Math.min(Math.max(needed, 2L * line.length), maxLineBytes));
        }
        in.getBytes(from, line, lineLength, length);
        in.readerIndex(from + length);
        lineLength = needed;
    }

    private void tooLong(ByteBuf in, int from, int to, boolean lineEnded) {
        int seen = lineLength + (to - from);
        in.readerIndex(from + Math.max(maxLineBytes - lineLength + 1, 0));
        lineLength = 0;
        discardingLine = true;
        discardingEvent = true;
        throw new TooLongFrameException("event stream line must be at most " + maxLineBytes + " bytes, was "
                + (lineEnded ? "" : "at least ") + seen + " bytes; skipping the rest of it and of its event");
    }

    private void processLine() {
        int length = lineLength;
        lineLength = 0;
        if (length == 0) {
            dispatch();
            return;
        }
        if (discardingEvent) {
            return;
        }
        byte[] l = line;
        if (l[0] == ':') {
            int start = length > 1 && l[1] == ' ' ? 2 : 1;
            listener.onComment(new String(l, start, length - start, StandardCharsets.UTF_8));
            return;
        }
        int colon = 1;
        while (colon < length && l[colon] != ':') {
            colon++;
        }
        // no colon: the whole line is the field name and the value is empty
        int valueStart = colon == length ? length : colon + 1;
        if (valueStart < length && l[valueStart] == ' ') {
            valueStart++;
        }
        int valueLength = length - valueStart;
        if (isField(DATA, colon)) {
            data.append(new String(l, valueStart, valueLength, StandardCharsets.UTF_8)).append('\n');
        } else if (isField(EVENT, colon)) {
            type = new String(l, valueStart, valueLength, StandardCharsets.UTF_8);
        } else if (isField(ID, colon)) {
            if (indexOfNul(l, valueStart, length) < 0) {
                lastEventIdBuffer = new String(l, valueStart, valueLength, StandardCharsets.UTF_8);
            }
        } else if (isField(RETRY, colon)) {
            long millis = parseMillis(l, valueStart, length);
            if (millis >= 0) {
                blockRetry = Duration.ofMillis(millis);
                listener.onRetry(blockRetry);
            }
        }
    }

    /** The spec's "dispatch the event", for a user agent that is not a web browser. */
    private void dispatch() {
        if (discardingEvent) {
            discardingEvent = false;
            resetBlock();
            return;
        }
        lastEventId = lastEventIdBuffer;
        if (data.length() == 0) {
            resetBlock();
            return;
        }
        SseEvent event = SseEvent.builder()
                .id(lastEventId.isEmpty() ? null : lastEventId)
                .type(type.isEmpty() ? null : type)
                .data(data.substring(0, data.length() - 1))
                .retry(blockRetry)
                .build();
        resetBlock();
        listener.onEvent(event);
    }

    private void resetBlock() {
        data.setLength(0);
        type = "";
        blockRetry = null;
    }

    private boolean isField(byte[] name, int nameLength) {
        return nameLength == name.length && Arrays.equals(line, 0, nameLength, name, 0, nameLength);
    }

    private static int indexOfNul(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /** Returns the value of a non-empty run of ASCII digits, or -1 if it is anything else or beyond a long. */
    private static long parseMillis(byte[] bytes, int from, int to) {
        if (from >= to) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9 || value > (Long.MAX_VALUE - digit) / 10) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }
}
