package dev.ssecast.core.internal;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.FileChannel;
import java.nio.channels.ScatteringByteChannel;
import java.nio.charset.Charset;

/**
 * A {@link ByteBuf} whose bytes cannot change, as thread-confined as its subclass, which reads and counts: every
 * {@code set*}, {@code write*} and {@code _set*} method, a capacity change, {@link #ensureWritable(int)} and
 * {@link #discardReadBytes()} throw {@link ReadOnlyBufferException} whatever the indexes, while the reader and
 * writer index move as in any buffer. This class holds no buffer of its own; the methods that take a source
 * buffer throw before touching it, and neither retain nor release it.
 *
 * <p>Each public method is overridden, not just the {@code _set*} ones, because {@link AbstractByteBuf} checks a
 * {@code write*} call against the capacity first: a full buffer would throw {@link IndexOutOfBoundsException}, and
 * a buffer whose writer index was moved back would reach {@code _set*}, so the exception would depend on the
 * indexes. One hole stays open, as in Netty's own read-only buffers: {@code ByteBufUtil.writeUtf8},
 * {@code writeAscii} and {@code reserveAndWriteUtf8} write an {@link AbstractByteBuf} through its
 * {@code array()} or {@code memoryAddress()} without calling any of these methods, once its writer index was
 * moved below its capacity. Never pass a subclass to them.
 */
abstract class UnwritableByteBuf extends AbstractByteBuf {
    UnwritableByteBuf() {
        super(0);
    }

    @Override
    public final boolean isReadOnly() {
        return true;
    }

    @Override
    public final boolean isWritable() {
        return false;
    }

    @Override
    public final boolean isWritable(int numBytes) {
        return false;
    }

    @Override
    public final ByteBuf capacity(int newCapacity) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf ensureWritable(int minWritableBytes) {
        throw new ReadOnlyBufferException();
    }

    /** Returns 1, "not enough room and the capacity is unchanged", as Netty's read-only buffers do. */
    @Override
    public final int ensureWritable(int minWritableBytes, boolean force) {
        return 1;
    }

    @Override
    public final ByteBuf discardReadBytes() {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setBoolean(int index, boolean value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setByte(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setShort(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setShortLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setMedium(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setMediumLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setInt(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setIntLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setLong(int index, long value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setLongLE(int index, long value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setChar(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setFloat(int index, float value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setFloatLE(int index, float value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setDouble(int index, double value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setDoubleLE(int index, double value) {
        throw new ReadOnlyBufferException();
    }

    /** Throws; {@code src} is neither retained nor released. */
    @Override
    public final ByteBuf setBytes(int index, ByteBuf src) {
        throw new ReadOnlyBufferException();
    }

    /** Throws; {@code src} is neither retained nor released. */
    @Override
    public final ByteBuf setBytes(int index, ByteBuf src, int length) {
        throw new ReadOnlyBufferException();
    }

    /** Throws; {@code src} is neither retained nor released. */
    @Override
    public final ByteBuf setBytes(int index, ByteBuf src, int srcIndex, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setBytes(int index, byte[] src) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setBytes(int index, byte[] src, int srcIndex, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setBytes(int index, ByteBuffer src) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final int setBytes(int index, InputStream in, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final int setBytes(int index, ScatteringByteChannel in, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final int setBytes(int index, FileChannel in, long position, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf setZero(int index, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final int setCharSequence(int index, CharSequence sequence, Charset charset) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeBoolean(boolean value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeByte(int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeShort(int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeShortLE(int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeMedium(int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeMediumLE(int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeInt(int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeIntLE(int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeLong(long value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeLongLE(long value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeChar(int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeFloat(float value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeFloatLE(float value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeDouble(double value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeDoubleLE(double value) {
        throw new ReadOnlyBufferException();
    }

    /** Throws; {@code src} is neither retained nor released. */
    @Override
    public final ByteBuf writeBytes(ByteBuf src) {
        throw new ReadOnlyBufferException();
    }

    /** Throws; {@code src} is neither retained nor released. */
    @Override
    public final ByteBuf writeBytes(ByteBuf src, int length) {
        throw new ReadOnlyBufferException();
    }

    /** Throws; {@code src} is neither retained nor released. */
    @Override
    public final ByteBuf writeBytes(ByteBuf src, int srcIndex, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeBytes(byte[] src) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeBytes(byte[] src, int srcIndex, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeBytes(ByteBuffer src) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final int writeBytes(InputStream in, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final int writeBytes(ScatteringByteChannel in, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final int writeBytes(FileChannel in, long position, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final ByteBuf writeZero(int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public final int writeCharSequence(CharSequence sequence, Charset charset) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected final void _setByte(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected final void _setShort(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected final void _setShortLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected final void _setMedium(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected final void _setMediumLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected final void _setInt(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected final void _setIntLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected final void _setLong(int index, long value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected final void _setLongLE(int index, long value) {
        throw new ReadOnlyBufferException();
    }
}
