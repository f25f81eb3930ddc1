package dev.ssecast.core.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 chunked framing written once into a shared frame, so that no per-channel encoder touches the bytes:
 * {@code <hex length> CRLF <payload> CRLF}.
 */
final class ChunkFrames {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final int TRAILER_LENGTH = 2;
    /** Direct, so that a composite piece made with it stays direct and is written without a copy. */
    private static final ByteBuf TRAILER = Unpooled.unreleasableBuffer(new UnpooledByteBufAllocator(true, true)
            .directBuffer(TRAILER_LENGTH).writeByte('\r').writeByte('\n'));

    private ChunkFrames() {
    }

    static int headerLength(int payloadLength) {
        int digits = Math.max(1, (35 - Integer.numberOfLeadingZeros(payloadLength)) / 4);
        return digits + 2;
    }

    /** A new frame sized for {@code payloadLength} bytes with its chunk header written. The caller owns it. */
    static ByteBuf open(ByteBufAllocator alloc, int payloadLength) {
        ByteBuf frame = alloc.directBuffer(headerLength(payloadLength) + payloadLength + TRAILER_LENGTH);
        writeHeader(frame, payloadLength);
        return frame;
    }

    static void writeHeader(ByteBuf out, int payloadLength) {
        int shift = (headerLength(payloadLength) - 3) * 4;
        for (; shift >= 0; shift -= 4) {
            out.writeByte(HEX[(payloadLength >>> shift) & 0xf]);
        }
        out.writeByte('\r');
        out.writeByte('\n');
    }

    /** The CRLF that ends a chunk, as a buffer nobody owns (release is a no-op), for a composite piece. */
    static ByteBuf trailer() {
        return TRAILER.duplicate();
    }

    /** Ends the chunk opened by {@link #open}. */
    static ByteBuf close(ByteBuf frame) {
        frame.writeByte('\r');
        frame.writeByte('\n');
        return frame;
    }

    /**
     * The end of a stream: a chunk holding a {@code retry:} line with {@code retryMillis}, then the zero-length
     * chunk that ends the response. The caller owns the result.
     */
    static ByteBuf goodbye(ByteBufAllocator alloc, long retryMillis) {
        byte[] retry = ("retry: " + retryMillis + "\n\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuf frame = alloc.directBuffer(headerLength(retry.length) + retry.length + TRAILER_LENGTH + 5);
        writeHeader(frame, retry.length);
        return close(frame.writeBytes(retry)).writeBytes(LAST_CHUNK);
    }

    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};

    /** The zero-length chunk that ends a response. The caller owns the result. */
    static ByteBuf last(ByteBufAllocator alloc) {
        return alloc.directBuffer(LAST_CHUNK.length).writeBytes(LAST_CHUNK);
    }

    /** One chunk holding {@code payload} (which is not released). The caller owns the result. */
    static ByteBuf of(ByteBufAllocator alloc, byte[] payload) {
        return close(open(alloc, payload.length).writeBytes(payload));
    }
}
