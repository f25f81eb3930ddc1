package dev.ssecast.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * An allocator that passes every call to another and counts the frames Netty's leak detector tracks: direct buffers
 * of exactly a frame's length that come back leak-aware (Netty wraps a tracked buffer in a
 * {@code SimpleLeakAwareByteBuf} or {@code AdvancedLeakAwareByteBuf}). A tool can then tell the ticks whose frame
 * was tracked from the others. The event's own buffer is shorter than its frame (no chunk header or trailer), so it
 * is not counted. Single writer: the thread that allocates frames (the tick thread); read {@link #count()} on it.
 */
final class TrackedFrames implements ByteBufAllocator {
    private final ByteBufAllocator delegate;
    private final int frameLength;
    private long count;

    TrackedFrames(ByteBufAllocator delegate, int frameLength) {
        this.delegate = delegate;
        this.frameLength = frameLength;
    }

    /** Frames tracked so far. */
    long count() {
        return count;
    }

    private ByteBuf counted(ByteBuf buf, int initialCapacity) {
        if (initialCapacity == frameLength && buf.getClass().getSimpleName().contains("LeakAware")) {
            count++;
        }
        return buf;
    }

    @Override
    public ByteBuf directBuffer(int initialCapacity) {
        return counted(delegate.directBuffer(initialCapacity), initialCapacity);
    }

    @Override
    public ByteBuf directBuffer(int initialCapacity, int maxCapacity) {
        return counted(delegate.directBuffer(initialCapacity, maxCapacity), initialCapacity);
    }

    @Override
    public ByteBuf directBuffer() {
        return delegate.directBuffer();
    }

    @Override
    public ByteBuf buffer() {
        return delegate.buffer();
    }

    @Override
    public ByteBuf buffer(int initialCapacity) {
        return delegate.buffer(initialCapacity);
    }

    @Override
    public ByteBuf buffer(int initialCapacity, int maxCapacity) {
        return delegate.buffer(initialCapacity, maxCapacity);
    }

    @Override
    public ByteBuf ioBuffer() {
        return delegate.ioBuffer();
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity) {
        return delegate.ioBuffer(initialCapacity);
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
        return delegate.ioBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public ByteBuf heapBuffer() {
        return delegate.heapBuffer();
    }

    @Override
    public ByteBuf heapBuffer(int initialCapacity) {
        return delegate.heapBuffer(initialCapacity);
    }

    @Override
    public ByteBuf heapBuffer(int initialCapacity, int maxCapacity) {
        return delegate.heapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public CompositeByteBuf compositeBuffer() {
        return delegate.compositeBuffer();
    }

    @Override
    public CompositeByteBuf compositeBuffer(int maxNumComponents) {
        return delegate.compositeBuffer(maxNumComponents);
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer() {
        return delegate.compositeHeapBuffer();
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        return delegate.compositeHeapBuffer(maxNumComponents);
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer() {
        return delegate.compositeDirectBuffer();
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        return delegate.compositeDirectBuffer(maxNumComponents);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return delegate.isDirectBufferPooled();
    }

    @Override
    public int calculateNewCapacity(int minNewCapacity, int maxCapacity) {
        return delegate.calculateNewCapacity(minNewCapacity, maxCapacity);
    }
}
