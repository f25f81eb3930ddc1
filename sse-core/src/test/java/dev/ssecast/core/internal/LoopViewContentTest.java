package dev.ssecast.core.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalIoHandler;
import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a view reads and refuses: exactly the parent's readable bytes as of open, at the right offset, through
 * every path a transport takes (memory address, NIO buffers, gathering and file channels, arrays); and no write
 * of any kind.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoopViewContentTest {
    /** ByteBuf's methods named set* or write* that only move indexes; everything else so named writes bytes. */
    private static final Set<String> INDEX_ONLY = Set.of("setIndex", "writerIndex", "writableBytes",
            "maxWritableBytes", "maxFastWritableBytes");

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    private final EventLoop loop = group.next();
    private final LoopViews views = new LoopViews(loop);
    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Runs {@code check} on the loop with a view of a new parent of {@code kind}, then releases both. */
    private void withView(ParentKind kind, ViewCheck check) {
        loop.submit((Callable<Void>) () -> {
            ByteBuf parent = kind.create(3);
            byte[] expected = ParentKind.readable(parent);
            LoopViews.Frame frame = views.open(parent.retain());
            ByteBuf view = frame.view();
            frame.close();
            try {
                check.run(view, parent, expected);
            } finally {
                view.release();
                assertThat(parent.release()).as("the frame released its reference").isTrue();
            }
            return null;
        }).syncUninterruptibly();
    }

    private interface ViewCheck {
        void run(ByteBuf view, ByteBuf parent, byte[] expected) throws Exception;
    }

    @ParameterizedTest
    @EnumSource(ParentKind.class)
    @SuppressWarnings("deprecation") // order()
    void readsTheParentsReadableBytesAtTheirOffsetWithIndexesOfItsOwn(ParentKind kind) {
        withView(kind, (view, parent, expected) -> {
            assertThat(expected).hasSize(ParentKind.READABLE).isEqualTo(ParentKind.pattern(3, ParentKind.READABLE));
            assertThat(List.of(view.readerIndex(), view.writerIndex(), view.capacity(), view.maxCapacity()))
                    .containsExactly(0, expected.length, expected.length, expected.length);
            assertThat(view.isReadOnly()).isTrue();
            assertThat(view.isWritable()).isFalse();
            assertThat(view.isDirect()).isEqualTo(parent.isDirect());
            assertThat(view.unwrap()).isSameAs(parent);
            assertThat(view.alloc()).isSameAs(parent.alloc());
            assertThat(view.order()).isEqualTo(parent.order());
            assertThat(view.getByte(0)).isEqualTo(expected[0]);
            assertThat(view.getByte(expected.length - 1)).isEqualTo(expected[expected.length - 1]);
            assertThat(view.getInt(5)).isEqualTo(parent.getInt(ParentKind.SKIPPED + 5));
            assertThat(view.getLongLE(9)).isEqualTo(parent.getLongLE(ParentKind.SKIPPED + 9));
            assertThat(view.getUnsignedMedium(40)).isEqualTo(parent.getUnsignedMedium(ParentKind.SKIPPED + 40));
            assertThat(view.getShortLE(77)).isEqualTo(parent.getShortLE(ParentKind.SKIPPED + 77));
            assertThatThrownBy(() -> view.getByte(expected.length)).as("the spare room past the writer index")
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(view.indexOf(0, view.capacity(), expected[61])).isEqualTo(indexOf(expected, expected[61]));

            parent.readerIndex(0).writerIndex(3); // the frame was opened before: the view does not follow
            byte[] read = new byte[expected.length];
            view.readBytes(read);
            assertThat(read).isEqualTo(expected);
            assertThat(view.readableBytes()).isZero();
            assertThat(List.of(parent.readerIndex(), parent.writerIndex())).containsExactly(0, 3);
            view.readerIndex(0);
            assertThat(view.toString(StandardCharsets.ISO_8859_1))
                    .isEqualTo(new String(expected, StandardCharsets.ISO_8859_1));
        });
    }

    @ParameterizedTest
    @EnumSource(ParentKind.class)
    void getBytesCopiesExactlyTheRangeAskedForIntoEveryKindOfDestination(ParentKind kind) {
        withView(kind, (view, parent, expected) -> {
            byte[] array = new byte[14];
            view.getBytes(3, array, 2, 10);
            assertThat(Arrays.copyOfRange(array, 2, 12)).isEqualTo(Arrays.copyOfRange(expected, 3, 13));
            assertThat(array[0]).isZero();
            assertThat(array[12]).isZero();

            for (ByteBuffer buffer : List.of(ByteBuffer.allocate(10), ByteBuffer.allocateDirect(10))) {
                view.getBytes(4, buffer);
                assertThat(bytes(buffer.flip())).isEqualTo(Arrays.copyOfRange(expected, 4, 14));
            }

            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            view.getBytes(5, stream, 90);
            assertThat(stream.toByteArray()).isEqualTo(Arrays.copyOfRange(expected, 5, 95));

            for (ByteBuf target : List.of(Unpooled.buffer(20), Unpooled.directBuffer(20))) {
                try {
                    view.getBytes(6, target, 1, 12);
                    assertThat(ByteBufUtil.getBytes(target, 1, 12)).isEqualTo(Arrays.copyOfRange(expected, 6, 18));
                } finally {
                    target.release();
                }
            }

            ByteBuf copy = view.copy(7, 20);
            try {
                assertThat(ParentKind.readable(copy)).isEqualTo(Arrays.copyOfRange(expected, 7, 27));
            } finally {
                copy.release();
            }

            Path file = Files.createTempFile(dir, "view", ".bin");
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
                assertThat(view.getBytes(8, channel, 30)).as("as a gathering channel").isEqualTo(30);
                assertThat(view.getBytes(50, channel, 30L, 40)).as("at a file position").isEqualTo(40);
            }
            byte[] written = Files.readAllBytes(file);
            assertThat(Arrays.copyOfRange(written, 0, 30)).isEqualTo(Arrays.copyOfRange(expected, 8, 38));
            assertThat(Arrays.copyOfRange(written, 30, 70)).isEqualTo(Arrays.copyOfRange(expected, 50, 90));
        });
    }

    @ParameterizedTest
    @EnumSource(ParentKind.class)
    void exposesTheParentsMemoryAtTheOffsetForTransportsWithoutACopy(ParentKind kind) {
        withView(kind, (view, parent, expected) -> {
            ByteBuffer one = view.nioBuffer(3, 10);
            assertThat(one.isReadOnly()).isTrue();
            assertThat(bytes(one)).isEqualTo(Arrays.copyOfRange(expected, 3, 13));
            assertThat(bytes(view.internalNioBuffer(11, 20))).isEqualTo(Arrays.copyOfRange(expected, 11, 31));

            ByteBuffer[] all = view.nioBuffers();
            assertThat(all.length).isLessThanOrEqualTo(view.nioBufferCount());
            if (kind == ParentKind.COMPOSITE) {
                assertThat(all).as("one per component, not merged").hasSize(3);
            }
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            for (ByteBuffer buffer : all) {
                assertThat(buffer.isReadOnly()).isTrue();
                joined.write(bytes(buffer));
            }
            assertThat(joined.toByteArray()).isEqualTo(expected);

            assertThat(view.hasMemoryAddress()).isEqualTo(parent.hasMemoryAddress());
            if (view.hasMemoryAddress()) {
                assertThat(view.memoryAddress()).isEqualTo(parent.memoryAddress() + ParentKind.SKIPPED);
                byte[] direct = new byte[expected.length];
                for (int i = 0; i < direct.length; i++) {
                    direct[i] = PlatformDependent.getByte(view.memoryAddress() + i);
                }
                assertThat(direct).isEqualTo(expected);
            }
            assertThat(view.hasArray()).isEqualTo(parent.hasArray());
            if (view.hasArray()) {
                assertThat(view.array()).isSameAs(parent.array());
                assertThat(Arrays.copyOfRange(view.array(), view.arrayOffset(), view.arrayOffset() + expected.length))
                        .isEqualTo(expected);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(value = ParentKind.class, names = {"POOLED_DIRECT", "UNPOOLED_HEAP", "COMPOSITE"})
    void everySetAndWriteMethodThrowsReadOnlyBufferExceptionFullOrNot(ParentKind kind) {
        withView(kind, (view, parent, expected) -> {
            List<String> refused = new ArrayList<>();
            for (int writerIndex : new int[] {view.capacity(), 0}) {
                view.writerIndex(writerIndex); // full, then all room: the exception must not depend on it
                for (Method method : ByteBuf.class.getMethods()) {
                    String name = method.getName();
                    if (Modifier.isStatic(method.getModifiers()) || INDEX_ONLY.contains(name)
                            || !(name.startsWith("set") || name.startsWith("write"))) {
                        continue;
                    }
                    assertThatThrownBy(() -> invoke(method, view)).as("%s at writer index %d", method, writerIndex)
                            .isInstanceOf(ReadOnlyBufferException.class);
                    refused.add(name);
                }
                assertThatThrownBy(() -> view.capacity(200)).isInstanceOf(ReadOnlyBufferException.class);
                assertThatThrownBy(() -> view.ensureWritable(1)).isInstanceOf(ReadOnlyBufferException.class);
                assertThatThrownBy(view::discardReadBytes).isInstanceOf(ReadOnlyBufferException.class);
                assertThat(view.ensureWritable(1, true)).isEqualTo(1);
            }
            assertThat(refused).as("the reflection found the write methods").hasSizeGreaterThan(100)
                    .contains("setBytes", "writeBytes", "writeCharSequence", "setZero", "writeDoubleLE");
            assertThat(view.asReadOnly()).isSameAs(view);
            ByteBuf duplicate = view.duplicate();
            assertThatThrownBy(() -> duplicate.setByte(0, 1)).as("a derived buffer writes through the view")
                    .isInstanceOf(ReadOnlyBufferException.class);
            assertThat(ParentKind.readable(parent)).as("and nothing was written").isEqualTo(expected);
        });
    }

    @Test
    void aSliceOfAViewSharesItsCountOnTheLoop() {
        withView(ParentKind.POOLED_DIRECT, (view, parent, expected) -> {
            ByteBuf slice = view.retainedSlice(10, 5);
            assertThat(view.refCnt()).isEqualTo(2);
            assertThat(ParentKind.readable(slice)).isEqualTo(Arrays.copyOfRange(expected, 10, 15));
            if (slice.hasMemoryAddress()) {
                assertThat(slice.memoryAddress()).isEqualTo(view.memoryAddress() + 10);
            }
            assertThat(slice.release()).isFalse();
            assertThat(view.refCnt()).isEqualTo(1);
            assertThat(views.outstanding()).isEqualTo(1);
        });
    }

    @Test
    void internalNioBuffersOfTwoViewsOfOneParentAreIndependent() {
        withView(ParentKind.POOLED_DIRECT, (view, parent, expected) -> {
            LoopViews.Frame frame = views.open(parent.retain());
            ByteBuf other = frame.view();
            frame.close();
            try {
                ByteBuffer first = view.internalNioBuffer(0, 10); // an outbound buffer keeps it across writes
                ByteBuffer second = other.internalNioBuffer(50, 20);
                assertThat(first).isNotSameAs(second);
                assertThat(List.of(first.remaining(), second.remaining())).containsExactly(10, 20);
                assertThat(bytes(first)).isEqualTo(Arrays.copyOfRange(expected, 0, 10));
                assertThat(bytes(second)).isEqualTo(Arrays.copyOfRange(expected, 50, 70));
            } finally {
                other.release();
            }
        });
    }

    /** Calls {@code method} on {@code view} with harmless arguments, rethrowing what it throws. */
    private void invoke(Method method, ByteBuf view) throws Throwable {
        Class<?>[] types = method.getParameterTypes();
        Object[] args = new Object[types.length];
        List<AutoCloseable> opened = new ArrayList<>();
        for (int i = 0; i < types.length; i++) {
            args[i] = argument(types[i], opened);
        }
        try {
            method.invoke(view, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            for (AutoCloseable resource : opened) {
                resource.close();
            }
        }
    }

    private Object argument(Class<?> type, List<AutoCloseable> opened) throws Exception {
        if (type == int.class) {
            return 1;
        } else if (type == long.class) {
            return 0L;
        } else if (type == boolean.class) {
            return true;
        } else if (type == float.class) {
            return 1f;
        } else if (type == double.class) {
            return 1d;
        } else if (type == byte[].class) {
            return new byte[8];
        } else if (type == ByteBuf.class) {
            ByteBuf src = Unpooled.buffer(8).writeZero(8);
            opened.add(src::release);
            return src;
        } else if (type == ByteBuffer.class) {
            return ByteBuffer.allocate(8);
        } else if (type == java.io.InputStream.class) {
            return new ByteArrayInputStream(new byte[8]);
        } else if (type == CharSequence.class) {
            return "ab";
        } else if (type == java.nio.charset.Charset.class) {
            return StandardCharsets.US_ASCII;
        } else if (type.isAssignableFrom(FileChannel.class)) { // FileChannel and ScatteringByteChannel
            Path file = Files.write(Files.createTempFile(dir, "src", ".bin"), new byte[8]);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            opened.add(channel);
            return channel;
        }
        throw new AssertionError("no argument for " + type + ": a new write method? give it one");
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static int indexOf(byte[] bytes, byte value) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
