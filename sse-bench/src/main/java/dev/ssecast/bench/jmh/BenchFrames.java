package dev.ssecast.bench.jmh;

import dev.ssecast.core.SseEncoder;
import dev.ssecast.core.SseEvent;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * The event every benchmark sends, and the allocators they may run on. Stateless.
 *
 * <p>The event is shaped like the load generator's: a 16-digit id (the broadcaster's default ids are microseconds
 * since the epoch) and a small JSON payload, about 100 bytes once encoded and chunk-framed.
 */
final class BenchFrames {
    /** The topic every stream subscribes to. */
    static final String TOPIC = "bench";
    /** The broadcaster's first id in benchmarks: as many digits as its default ids have. */
    static final long FIRST_ID = 1_764_000_000_000_000L;
    /** The event's data. */
    static final String DATA = "{\"seq\":123456,\"t\":1764000000123456789,\"price\":101.25,\"symbol\":\"SSEC\"}";

    /** The header of an HTTP/2 DATA frame without padding (RFC 9113 §4.1). */
    static final int DATA_FRAME_HEADER = 9;

    private BenchFrames() {
    }

    /** The event as published: no id, the broadcaster assigns it. */
    static SseEvent event() {
        return SseEvent.builder().data(DATA).build();
    }

    /**
     * The bytes the broadcaster writes for {@link #event()} with an id of {@link #FIRST_ID}'s length: the encoded
     * event inside one HTTP/1.1 chunk ({@code <hex length> CRLF payload CRLF}).
     */
    static byte[] chunkFrame() {
        SseEvent withId = event().toBuilder().id(Long.toString(FIRST_ID)).build();
        ByteBuf payload = Unpooled.buffer();
        try {
            SseEncoder.encode(withId, payload);
            byte[] head = (Integer.toHexString(payload.readableBytes()) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] frame = new byte[head.length + payload.readableBytes() + 2];
            System.arraycopy(head, 0, frame, 0, head.length);
            payload.readBytes(frame, head.length, payload.readableBytes());
            frame[frame.length - 2] = '\r';
            frame[frame.length - 1] = '\n';
            return frame;
        } finally {
            payload.release();
        }
    }

    /**
     * The bytes an HTTP/2 stream writes for {@link #event()} with an id of {@link #FIRST_ID}'s length: one DATA
     * frame, its {@value #DATA_FRAME_HEADER}-byte header and the encoded event, without the chunk framing.
     */
    static int dataFrameLength() {
        SseEvent withId = event().toBuilder().id(Long.toString(FIRST_ID)).build();
        ByteBuf payload = Unpooled.buffer();
        try {
            SseEncoder.encode(withId, payload);
            return DATA_FRAME_HEADER + payload.readableBytes();
        } finally {
            payload.release();
        }
    }

    /**
     * The allocator named {@code pooled} (the broadcaster's default), {@code adaptive} (Netty 4.2's default) or
     * {@code unpooled}.
     */
    static ByteBufAllocator allocator(String name) {
        switch (name) {
            case "adaptive":
                return new AdaptiveByteBufAllocator();
            case "pooled":
                return PooledByteBufAllocator.DEFAULT;
            case "unpooled":
                return UnpooledByteBufAllocator.DEFAULT;
            default:
                throw new IllegalArgumentException("allocator must be adaptive, pooled or unpooled, was " + name);
        }
    }
}
