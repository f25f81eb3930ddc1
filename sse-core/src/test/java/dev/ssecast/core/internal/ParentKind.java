package dev.ssecast.core.internal;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.util.Arrays;

/**
 * The parents a {@link LoopViews} frame may be opened over, each made with a reader index past its start and
 * room after its writer index, so that a view reading at the wrong offset or past the end reads other bytes.
 * Every parent comes from an allocator, so paranoid leak detection tracks it.
 */
enum ParentKind {
    POOLED_DIRECT, POOLED_HEAP, ADAPTIVE_DIRECT, ADAPTIVE_HEAP, UNPOOLED_DIRECT, UNPOOLED_HEAP,
    /** Three components, direct and heap; the readable bytes start inside the first and end inside the last. */
    COMPOSITE,
    /** One direct component: a composite that has a memory address. */
    COMPOSITE_OF_ONE;

    /** Bytes before the reader index; the readable bytes; free bytes after the writer index. */
    static final int SKIPPED = 7;
    static final int READABLE = 100;
    static final int SPARE = 9;
    private static final int CAPACITY = SKIPPED + READABLE + SPARE;

    private static final ByteBufAllocator ADAPTIVE = new AdaptiveByteBufAllocator();

    /** A parent of count 1 whose readable bytes are {@link #pattern} {@code seed}, at parent index 7 to 107. */
    ByteBuf create(int seed) {
        return switch (this) {
            case POOLED_DIRECT -> filled(PooledByteBufAllocator.DEFAULT.directBuffer(CAPACITY), seed);
            case POOLED_HEAP -> filled(PooledByteBufAllocator.DEFAULT.heapBuffer(CAPACITY), seed);
            case ADAPTIVE_DIRECT -> filled(ADAPTIVE.directBuffer(CAPACITY), seed);
            case ADAPTIVE_HEAP -> filled(ADAPTIVE.heapBuffer(CAPACITY), seed);
            case UNPOOLED_DIRECT -> filled(UnpooledByteBufAllocator.DEFAULT.directBuffer(CAPACITY), seed);
            case UNPOOLED_HEAP -> filled(UnpooledByteBufAllocator.DEFAULT.heapBuffer(CAPACITY), seed);
            case COMPOSITE -> composite(seed, PooledByteBufAllocator.DEFAULT.directBuffer(40),
                    UnpooledByteBufAllocator.DEFAULT.heapBuffer(40), ADAPTIVE.directBuffer(CAPACITY - 80));
            case COMPOSITE_OF_ONE -> composite(seed, PooledByteBufAllocator.DEFAULT.directBuffer(CAPACITY));
        };
    }

    /** The whole of a parent: 0xEE before the reader index, the pattern, 0xEE in the room after it. */
    private static byte[] image(int seed) {
        byte[] image = new byte[CAPACITY];
        Arrays.fill(image, (byte) 0xEE);
        System.arraycopy(pattern(seed, READABLE), 0, image, SKIPPED, READABLE);
        return image;
    }

    private static ByteBuf filled(ByteBuf buffer, int seed) {
        return buffer.writeBytes(image(seed)).setIndex(SKIPPED, SKIPPED + READABLE);
    }

    /** Components filled before they are added: a composite's capacity is what its components hold. */
    private static ByteBuf composite(int seed, ByteBuf... components) {
        byte[] image = image(seed);
        CompositeByteBuf composite = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer();
        int at = 0;
        for (ByteBuf component : components) {
            int length = component.capacity();
            composite.addComponent(true, component.writeBytes(image, at, length));
            at += length;
        }
        if (at != CAPACITY) {
            throw new AssertionError("components hold " + at + " bytes, not " + CAPACITY);
        }
        return composite.setIndex(SKIPPED, SKIPPED + READABLE);
    }

    /** {@code length} bytes that differ from one seed to the next and from one position to the next. */
    static byte[] pattern(int seed, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed * 131 + i * 7 + (i >>> 8));
        }
        return bytes;
    }

    /** The readable bytes of {@code buffer}, without moving its indexes. */
    static byte[] readable(ByteBuf buffer) {
        return ByteBufUtil.getBytes(buffer, buffer.readerIndex(), buffer.readableBytes());
    }
}
