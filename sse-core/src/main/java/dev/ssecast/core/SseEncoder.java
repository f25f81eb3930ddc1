package dev.ssecast.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Writes {@link SseEvent}s in the {@code text/event-stream} format of the WHATWG HTML Living Standard
 * (section 9.2, "Server-sent events"), as UTF-8; stateless and thread-safe.
 *
 * <p>An event is written as, in this order and each line ended by LF:
 * <ol>
 *   <li>one comment line per line of {@link SseEvent#comment()}: {@code :} then the line;</li>
 *   <li>{@code id}, then {@code event} (the {@link SseEvent#type()}), then {@code retry} (in milliseconds);</li>
 *   <li>one {@code data} line per line of {@link SseEvent#data()};</li>
 *   <li>one blank line, which makes the receiver dispatch the event.</li>
 * </ol>
 * A value is written after the colon and ONE space ({@code data: x}), so a value that itself begins with a space
 * survives the receiver stripping one ({@code " x"} is written {@code data:  x}). An empty value is written with
 * nothing after the colon ({@code data:}, {@code id:}, {@code :}), which a receiver reads the same as
 * {@code data: }.
 *
 * <p>Multi-line values are split on CRLF, LF and lone CR, the only line breaks of the format, and on nothing else
 * (U+2028, U+2029, U+0085, VT and FF are content). Data {@code ""} is one {@code data:} line; data {@code "a\n"}
 * is {@code data: a} and {@code data:}, which the receiver joins back into {@code "a\n"}.
 *
 * <p>Encoding allocates nothing beyond the output: values are written straight from the strings by index range.
 */
public final class SseEncoder {

    private static final byte[] ID = {'i', 'd'};
    private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't'};
    private static final byte[] RETRY = {'r', 'e', 't', 'r', 'y'};
    private static final byte[] DATA = {'d', 'a', 't', 'a'};
    private static final byte[] COMMENT = {};

    private SseEncoder() {
    }

    /**
     * Appends the event's bytes (UTF-8, {@code text/event-stream}, ended by the blank line) at {@code out}'s
     * writer index, growing {@code out} at most once. Does not retain or release {@code out}; the caller owns it.
     *
     * @throws IndexOutOfBoundsException if {@code out} cannot grow by {@link #encodedLength(SseEvent)} bytes;
     *                                   nothing is written then
     */
    public static void encode(SseEvent event, ByteBuf out) {
        int length = encodedLength(event);
        out.ensureWritable(length);
        int end = out.writerIndex() + length;
        if (event.comment() != null) {
            writeLines(out, COMMENT, event.comment(), end);
        }
        if (event.id() != null) {
            writeLine(out, ID, event.id(), 0, event.id().length(), end);
        }
        if (event.type() != null) {
            writeLine(out, EVENT, event.type(), 0, event.type().length(), end);
        }
        if (event.retry() != null) {
            writeRetry(out, event.retry().toMillis());
        }
        if (event.data() != null) {
            writeLines(out, DATA, event.data(), end);
        }
        out.writeByte('\n');
        assert out.writerIndex() == end : "encodedLength disagrees with encode for " + event;
    }

    /**
     * Returns the exact number of bytes {@link #encode(SseEvent, ByteBuf)} writes for this event.
     *
     * @throws IllegalArgumentException if the encoding would exceed {@link Integer#MAX_VALUE} bytes
     */
    public static int encodedLength(SseEvent event) {
        long length = 1; // the blank line
        if (event.comment() != null) {
            length += linesLength(COMMENT, event.comment());
        }
        if (event.id() != null) {
            length += lineLength(ID, event.id(), 0, event.id().length());
        }
        if (event.type() != null) {
            length += lineLength(EVENT, event.type(), 0, event.type().length());
        }
        if (event.retry() != null) {
            length += RETRY.length + 2 + digits(event.retry().toMillis()) + 1;
        }
        if (event.data() != null) {
            length += linesLength(DATA, event.data());
        }
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("event must encode to at most " + Integer.MAX_VALUE
                    + " bytes, was " + length + " bytes");
        }
        return (int) length;
    }

    /** Writes one line per CRLF-, LF- or CR-separated piece of {@code value}. */
    private static void writeLines(ByteBuf out, byte[] name, String value, int end) {
        int start = 0;
        int n = value.length();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                writeLine(out, name, value, start, i, end);
                if (c == '\r' && i + 1 < n && value.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        writeLine(out, name, value, start, n, end);
    }

    private static long linesLength(byte[] name, String value) {
        long length = 0;
        int start = 0;
        int n = value.length();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                length += lineLength(name, value, start, i);
                if (c == '\r' && i + 1 < n && value.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        return length + lineLength(name, value, start, n);
    }

    /**
     * Writes {@code name:} then, for a non-empty value, a space and the value, then LF. The whole event's bytes
     * were reserved up front, so the bytes left up to {@code end} are enough for this value: Netty's
     * {@code writeUtf8} would reserve three bytes per char instead, growing the buffer beyond the event.
     */
    private static void writeLine(ByteBuf out, byte[] name, String value, int from, int to, int end) {
        out.writeBytes(name).writeByte(':');
        if (to > from) {
            out.writeByte(' ');
            ByteBufUtil.reserveAndWriteUtf8(out, value, from, to, end - out.writerIndex());
        }
        out.writeByte('\n');
    }

    private static long lineLength(byte[] name, String value, int from, int to) {
        long length = name.length + 2L; // name, colon, LF
        if (to > from) {
            length += 1 + ByteBufUtil.utf8Bytes(value, from, to);
        }
        return length;
    }

    /** Writes {@code retry: <millis>} and LF, the digits straight into the buffer. */
    private static void writeRetry(ByteBuf out, long millis) {
        out.writeBytes(RETRY).writeByte(':').writeByte(' ');
        int digits = digits(millis);
        int at = out.writerIndex();
        long rest = millis;
        for (int i = digits - 1; i >= 0; i--) {
            out.setByte(at + i, '0' + (int) (rest % 10));
            rest /= 10;
        }
        out.writerIndex(at + digits).writeByte('\n');
    }

    private static int digits(long nonNegative) {
        int digits = 1;
        for (long rest = nonNegative / 10; rest > 0; rest /= 10) {
            digits++;
        }
        return digits;
    }
}
