package dev.ssecast.core.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.internal.ObjectUtil;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;

/**
 * A read-only view of one {@link LoopViews.Frame}'s bytes, confined to the event loop of the {@link LoopViews}
 * that made it: its reference count is a plain {@code int}, and {@link #retain} and {@link #release} throw
 * {@link IllegalStateException} anywhere else. Made only by {@link LoopViews.Frame#view()}.
 *
 * <p>Ownership: whoever holds a view holds one of its references, and releases it; writing it to a channel of
 * this loop hands that reference to the channel's outbound buffer, which releases it once written or failed. The
 * view holds no reference of the parent: its frame holds one for all its views. When the count reaches 0, the
 * view tells its frame (which releases the parent after the last view of a closed frame) and goes back to the
 * loop's free list, to be handed out again by a later {@code view()}.
 *
 * <p>Index {@code i} of the view is index {@code offset + i} of the parent, where {@code offset} was the parent's
 * reader index when the frame was opened; the capacity is the frame's length and cannot change. The reader and
 * writer index are the view's own, as in a duplicate. Every read of the bytes checks the count first, whether or
 * not {@code io.netty.buffer.checkAccessible} is on, so a released view throws
 * {@link IllegalReferenceCountException} until it is handed out again. After that a stale reference reads the new
 * frame: as with Netty's pooled derived buffers, reuse cannot tell a stale holder from the new owner.
 *
 * <p>The derived buffers {@link #duplicate()}, {@link #slice()} and their {@code retained} forms are Netty's
 * unpooled ones: they read through this view and share its count, so they are confined to the loop as well.
 */
final class LoopView extends UnwritableByteBuf {
    private final LoopViews views;
    private LoopViews.Frame frame;
    /** The frame's parent; kept after release, for the type-level answers ({@link #isDirect()} and such). */
    private ByteBuf parent;
    private int offset;
    private int refCnt;

    LoopView(LoopViews views) {
        this.views = views;
    }

    /**
     * Points this new or recycled view at a frame's bytes, with a count of 1 and fresh indexes and marks. Borrows
     * {@code parent}, which the frame owns: retains and releases nothing.
     */
    void init(LoopViews.Frame frame, ByteBuf parent, int offset, int length) {
        this.frame = frame;
        this.parent = parent;
        this.offset = offset;
        this.refCnt = 1;
        maxCapacity(length);
        setIndex(0, 0);
        markReaderIndex();
        markWriterIndex();
        writerIndex(length);
    }

    /** The parent, or {@link IllegalReferenceCountException} once released: the gate of every read. */
    private ByteBuf content() {
        if (refCnt == 0) {
            throw new IllegalReferenceCountException(0);
        }
        return parent;
    }

    @Override
    public int refCnt() {
        return refCnt;
    }

    @Override
    public ByteBuf retain() {
        return retain(1);
    }

    /** Adds to the plain count, on the loop only; the parent's count does not change. */
    @Override
    public ByteBuf retain(int increment) {
        ObjectUtil.checkPositive(increment, "increment");
        views.checkOnLoop("LoopView.retain()");
        if (refCnt == 0 || increment > Integer.MAX_VALUE - refCnt) {
            throw new IllegalReferenceCountException(refCnt, increment);
        }
        refCnt += increment;
        return this;
    }

    @Override
    public boolean release() {
        return release(1);
    }

    /**
     * Takes from the plain count, on the loop only. At 0 the view is free for reuse and its frame is told, which
     * releases the parent if it was the frame's last view and the frame is closed.
     */
    @Override
    public boolean release(int decrement) {
        ObjectUtil.checkPositive(decrement, "decrement");
        views.checkOnLoop("LoopView.release()");
        if (decrement > refCnt) {
            throw new IllegalReferenceCountException(refCnt, -decrement);
        }
        refCnt -= decrement;
        if (refCnt != 0) {
            return false;
        }
        LoopViews.Frame released = frame;
        views.recycle(this); // first, so that a failing parent release still leaves this view counted and free
        released.viewReleased();
        return true;
    }

    /** Records nothing: the pipeline touches every message at each handler, and the parent is shared. */
    @Override
    public ByteBuf touch() {
        return this;
    }

    @Override
    public ByteBuf touch(Object hint) {
        return this;
    }

    @Override
    public int capacity() {
        return maxCapacity();
    }

    /** The parent's allocator; a {@link #copy} comes from the parent too. */
    @Override
    public ByteBufAllocator alloc() {
        return parent.alloc();
    }

    @Override
    @Deprecated
    public ByteOrder order() {
        return parent.order();
    }

    /** The parent, not retained: valid while this view is. */
    @Override
    public ByteBuf unwrap() {
        return parent;
    }

    @Override
    public boolean isDirect() {
        return parent.isDirect();
    }

    @Override
    public boolean isContiguous() {
        return parent.isContiguous();
    }

    @Override
    public boolean hasArray() {
        return parent.hasArray();
    }

    /** The parent's array, for reading only; see {@link #arrayOffset()}. */
    @Override
    public byte[] array() {
        return content().array();
    }

    @Override
    public int arrayOffset() {
        return content().arrayOffset() + offset;
    }

    @Override
    public boolean hasMemoryAddress() {
        return parent.hasMemoryAddress();
    }

    /** The address of this view's index 0: the parent's address plus the offset. For reading only. */
    @Override
    public long memoryAddress() {
        return content().memoryAddress() + offset;
    }

    @Override
    public int nioBufferCount() {
        return parent.nioBufferCount();
    }

    /** A new read-only {@link ByteBuffer} over the parent's memory; the caller releases nothing. */
    @Override
    public ByteBuffer nioBuffer(int index, int length) {
        checkIndex(index, length);
        return content().nioBuffer(offset + index, length).asReadOnlyBuffer();
    }

    /**
     * A new {@link ByteBuffer} over the parent's memory, not the parent's internal one: the outbound buffer keeps
     * what this returns across partial writes, and many views of one parent are queued at once.
     */
    @Override
    public ByteBuffer internalNioBuffer(int index, int length) {
        checkIndex(index, length);
        return content().nioBuffer(offset + index, length);
    }

    /** New read-only {@link ByteBuffer}s over the parent's memory; the caller releases nothing. */
    @Override
    public ByteBuffer[] nioBuffers(int index, int length) {
        checkIndex(index, length);
        ByteBuffer[] buffers = content().nioBuffers(offset + index, length);
        for (int i = 0; i < buffers.length; i++) {
            if (!buffers[i].isReadOnly()) {
                buffers[i] = buffers[i].asReadOnlyBuffer();
            }
        }
        return buffers;
    }

    /** A new buffer from the parent's allocator, owned by the caller, who releases it. */
    @Override
    public ByteBuf copy(int index, int length) {
        checkIndex(index, length);
        return content().copy(offset + index, length);
    }

    /** Copies into {@code dst}; retains and releases nothing. */
    @Override
    public ByteBuf getBytes(int index, ByteBuf dst, int dstIndex, int length) {
        checkDstIndex(index, length, dstIndex, dst.capacity());
        content().getBytes(offset + index, dst, dstIndex, length);
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, byte[] dst, int dstIndex, int length) {
        checkDstIndex(index, length, dstIndex, dst.length);
        content().getBytes(offset + index, dst, dstIndex, length);
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, ByteBuffer dst) {
        checkIndex(index, dst.remaining());
        content().getBytes(offset + index, dst);
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, OutputStream out, int length) throws IOException {
        checkIndex(index, length);
        content().getBytes(offset + index, out, length);
        return this;
    }

    @Override
    public int getBytes(int index, GatheringByteChannel out, int length) throws IOException {
        checkIndex(index, length);
        return content().getBytes(offset + index, out, length);
    }

    @Override
    public int getBytes(int index, FileChannel out, long position, int length) throws IOException {
        checkIndex(index, length);
        return content().getBytes(offset + index, out, position, length);
    }

    @Override
    protected byte _getByte(int index) {
        return content().getByte(offset + index);
    }

    @Override
    protected short _getShort(int index) {
        return content().getShort(offset + index);
    }

    @Override
    protected short _getShortLE(int index) {
        return content().getShortLE(offset + index);
    }

    @Override
    protected int _getUnsignedMedium(int index) {
        return content().getUnsignedMedium(offset + index);
    }

    @Override
    protected int _getUnsignedMediumLE(int index) {
        return content().getUnsignedMediumLE(offset + index);
    }

    @Override
    protected int _getInt(int index) {
        return content().getInt(offset + index);
    }

    @Override
    protected int _getIntLE(int index) {
        return content().getIntLE(offset + index);
    }

    @Override
    protected long _getLong(int index) {
        return content().getLong(offset + index);
    }

    @Override
    protected long _getLongLE(int index) {
        return content().getLongLE(offset + index);
    }
}
