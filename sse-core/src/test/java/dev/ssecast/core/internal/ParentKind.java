package dev.ssecast.core.internal;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

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

    private static final ByteBufAllocator ADAPTIVE = new AdaptiveByteBufAllocator();

    /** A parent of count 1 whose readable bytes are {@link #pattern} {@code seed} at parent index 7 to 107. */
    ByteBuf create(int seed) {
        ByteBuf parent;
        switch (this) {
            case POOLED_DIRECT -> parent = filled(PooledByteBufAllocator.DEFAULT.directBuffer(capacity()), seed);
            case POOLED_HEAP -> parent = filled(PooledByteBufAllocator.DEFAULT.heapBuffer(capacity()), seed);
            case ADAPTIVE_DIRECT -> parent = filled(ADAPTIVE.directBuffer(capacity()), seed);
            case ADAPTIVE_HEAP -> parent = filled(ADAPTIVE.heapBuffer(capacity()), seed);
            case UNPOOLED_DIRECT -> parent = filled(UnpooledByteBufAllocator.DEFAULT.directBuffer(capacity()), seed);
            case UNPOOLED_HEAP -> parent = filled(UnpooledByteBufAllocator.DEFAULT.heapBuffer(capacity()), seed);
            case COMPOSITE -> {
                CompositeByteBuf composite = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer();
                composite.addComponent(true, PooledByteBufAllocator.DEFAULT.directBuffer(40));
                composite.addComponent(true, UnpooledByteBufAllocator.DEFAULT.heapBuffer(40));
                composite.addComponent(true, ADAPTIVE.directBuffer(capacity() - 80));
                composite.writerIndex(0);
                parent = filled(composite, seed);
            }
            case COMPOSITE_OF_ONE -> {
                CompositeByteBuf composite = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer();
                composite.addComponent(true, PooledByteBufAllocator.DEFAULT.directBuffer(capacity()));
                composite.writerIndex(0);
                parent = filled(composite, seed);
            }
            default -> throw new AssertionError(this);
        }
        return parent;
    }

    private static int capacity() {
        return SKIPPED + READABLE + SPARE;
    }

    /** Writes 0xEE before the reader index, the pattern, then 0xEE in the spare room past the writer index. */
    private static ByteBuf filled(ByteBuf buffer, int seed) {
        for (int i = 0; i < SKIPPED; i++) {
            buffer.writeByte(0xEE);
        }
        buffer.writeBytes(pattern(seed, READABLE));
        for (int i = 0; i < SPARE; i++) {
            buffer.setByte(buffer.writerIndex() + i, 0xEE);
        }
        buffer.readerIndex(SKIPPED);
        return buffer;
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
