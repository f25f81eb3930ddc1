package dev.ssecast.core.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalIoHandler;
import io.netty.util.IllegalReferenceCountException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Who owns what: a frame releases its parent exactly once, when closed and its last view is gone; a view's count
 * is confined to its loop and guarded against misuse; and views are reused, not allocated, in steady state.
 * The leak detector cannot see views, so every test reads the parent's count itself, keeping a reference of its
 * own so that the count can still be read after the frame's reference is gone.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoopViewsTest {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, LocalIoHandler.newFactory());
    private final EventLoop loop = group.next();
    private final LoopViews views = new LoopViews(loop);

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private <T> T onLoop(Callable<T> task) {
        return onLoop(loop, task);
    }

    private static <T> T onLoop(EventLoop loop, Callable<T> task) {
        return loop.submit(task).syncUninterruptibly().getNow();
    }

    @ParameterizedTest
    @EnumSource(ParentKind.class)
    void releasesTheParentOnceWhenTheLastViewGoesAfterClose(ParentKind kind) {
        onLoop(() -> {
            ByteBuf parent = kind.create(1).retain(); // the test's own reference, and the one handed over
            assertThat(parent.refCnt()).isEqualTo(2);
            LoopViews.Frame frame = views.open(parent);
            ByteBuf first = frame.view();
            assertThat(views.outstanding()).isEqualTo(1);
            assertThat(ParentKind.readable(first)).isEqualTo(ParentKind.readable(parent));
            assertThat(first.release()).isTrue();
            assertThat(views.outstanding()).isZero();
            assertThat(parent.refCnt()).as("no view out, but the frame is open: not released yet").isEqualTo(2);

            ByteBuf second = frame.view();
            ByteBuf third = frame.view();
            assertThat(views.outstanding()).isEqualTo(2);
            assertThat(parent.refCnt()).as("taking views does not touch the parent's count").isEqualTo(2);
            frame.close();
            assertThat(parent.refCnt()).as("closed, two views out").isEqualTo(2);
            assertThat(third.release()).isTrue();
            assertThat(parent.refCnt()).as("closed, one view out").isEqualTo(2);
            second.retain();
            assertThat(second.release()).isFalse();
            assertThat(parent.refCnt()).as("closed, the view still counts one").isEqualTo(2);
            assertThat(views.outstanding()).isEqualTo(1);

            assertThat(second.release()).isTrue();
            assertThat(views.outstanding()).isZero();
            assertThat(parent.refCnt()).as("the frame's reference, released once").isEqualTo(1);
            assertThat(parent.release()).isTrue();
            return null;
        });
    }

    @ParameterizedTest
    @EnumSource(ParentKind.class)
    void closeReleasesTheParentAtOnceWhenNoViewWasTaken(ParentKind kind) {
        onLoop(() -> {
            ByteBuf parent = kind.create(2).retain();
            LoopViews.Frame frame = views.open(parent);
            assertThat(parent.refCnt()).isEqualTo(2);
            frame.close();
            assertThat(parent.refCnt()).isEqualTo(1);
            assertThat(views.outstanding()).isZero();
            assertThat(parent.release()).isTrue();
            return null;
        });
    }

    @Test
    void countsOutstandingViewsPerLoopOverAllItsFrames() {
        EventLoop other = group.next();
        assertThat(other).isNotSameAs(loop);
        LoopViews otherViews = new LoopViews(other);
        ByteBuf a = ParentKind.POOLED_DIRECT.create(3).retain();
        ByteBuf b = ParentKind.UNPOOLED_HEAP.create(4).retain();
        ByteBuf c = ParentKind.ADAPTIVE_DIRECT.create(5).retain();
        List<ByteBuf> here = onLoop(() -> {
            LoopViews.Frame fa = views.open(a);
            LoopViews.Frame fb = views.open(b);
            List<ByteBuf> taken = List.of(fa.view(), fb.view(), fa.view());
            fa.close();
            fb.close();
            return taken;
        });
        ByteBuf there = onLoop(other, () -> {
            LoopViews.Frame fc = otherViews.open(c);
            ByteBuf view = fc.view();
            fc.close();
            return view;
        });
        assertThat(onLoop(views::outstanding)).isEqualTo(3);
        assertThat(onLoop(other, otherViews::outstanding)).isEqualTo(1);

        onLoop(() -> here.get(2).release());
        assertThat(onLoop(views::outstanding)).isEqualTo(2);
        assertThat(a.refCnt()).as("a's other view is still out").isEqualTo(2);
        onLoop(() -> here.get(0).release() && here.get(1).release());
        assertThat(onLoop(views::outstanding)).isZero();
        assertThat(onLoop(other, otherViews::outstanding)).as("the other loop's count is its own").isEqualTo(1);
        assertThat(List.of(a.refCnt(), b.refCnt(), c.refCnt())).containsExactly(1, 1, 2);
        onLoop(other, there::release);
        assertThat(c.refCnt()).isEqualTo(1);
        assertThat(a.release() && b.release() && c.release()).isTrue();
    }

    @Test
    void refusesAViewAfterCloseAndASecondClose() {
        onLoop(() -> {
            ByteBuf parent = ParentKind.POOLED_HEAP.create(6).retain();
            LoopViews.Frame frame = views.open(parent);
            ByteBuf view = frame.view();
            frame.close();
            assertThatThrownBy(frame::view).isInstanceOf(IllegalStateException.class).hasMessageContaining("close");
            assertThatThrownBy(frame::close).isInstanceOf(IllegalStateException.class).hasMessageContaining("twice");
            assertThat(views.outstanding()).isEqualTo(1);
            assertThat(parent.refCnt()).isEqualTo(2);
            view.release();
            assertThat(parent.refCnt()).isEqualTo(1);
            return parent.release();
        });
    }

    @Test
    void releaseAndRetainOffTheLoopThrowAndChangeNothing() {
        ByteBuf parent = ParentKind.POOLED_DIRECT.create(7).retain();
        LoopViews.Frame frame = onLoop(() -> views.open(parent));
        ByteBuf view = onLoop(frame::view);
        String thread = Thread.currentThread().getName();
        List<ThrowingCallable> offLoop = List.of(view::release, () -> view.release(2), view::retain,
                () -> view.retain(3), frame::view, frame::close);
        for (ThrowingCallable call : offLoop) {
            assertThatThrownBy(call).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("called on thread " + thread)
                    .hasMessageContaining("off the event loop");
        }
        assertThatThrownBy(view::release).hasMessageStartingWith("LoopView.release()");
        assertThatThrownBy(view::retain).hasMessageStartingWith("LoopView.retain()");
        assertThat(view.refCnt()).isEqualTo(1);
        assertThat(onLoop(views::outstanding)).isEqualTo(1);
        assertThat(parent.refCnt()).isEqualTo(2);

        ByteBuf handedOver = ParentKind.UNPOOLED_DIRECT.create(8).retain();
        assertThatThrownBy(() -> views.open(handedOver)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("LoopViews.open()");
        assertThat(handedOver.refCnt()).as("the reference handed over is released, not left behind").isEqualTo(1);
        handedOver.release();

        onLoop(() -> {
            frame.close();
            assertThat(parent.refCnt()).isEqualTo(2);
            return view.release();
        });
        assertThat(parent.refCnt()).isEqualTo(1);
        parent.release();
    }

    @ParameterizedTest
    @EnumSource(ParentKind.class)
    void overReleaseThrowsAndAReleasedViewCannotBeRead(ParentKind kind) {
        ByteBuf parent = kind.create(9).retain();
        ByteBuf view = onLoop(() -> {
            LoopViews.Frame frame = views.open(parent);
            ByteBuf taken = frame.view();
            frame.close();
            assertThatThrownBy(() -> taken.release(2)).isInstanceOf(IllegalReferenceCountException.class);
            assertThat(taken.refCnt()).as("a failed release changes nothing").isEqualTo(1);
            assertThat(views.outstanding()).isEqualTo(1);
            assertThat(taken.release()).isTrue();
            assertThatThrownBy(taken::release).isInstanceOf(IllegalReferenceCountException.class);
            assertThatThrownBy(taken::retain).isInstanceOf(IllegalReferenceCountException.class);
            assertThat(views.outstanding()).as("not below zero").isZero();
            return taken;
        });
        assertThat(parent.refCnt()).as("released by the frame once, not once more").isEqualTo(1);

        List<ThrowingCallable> reads = new ArrayList<>(List.of(() -> view.getByte(0), view::readByte,
                () -> view.getLong(0), () -> view.getBytes(0, new byte[4]),
                () -> view.getBytes(0, ByteBuffer.allocate(4)), view::nioBuffer, () -> view.internalNioBuffer(0, 4),
                view::nioBuffers, view::copy,
                () -> view.toString(StandardCharsets.US_ASCII), () -> view.forEachByte(b -> true),
                () -> view.indexOf(0, 10, (byte) 1), view::duplicate));
        if (view.hasMemoryAddress()) {
            reads.add(view::memoryAddress); // AbstractByteBuf checks nothing here: the view's own gate does
        }
        if (view.hasArray()) {
            reads.add(view::array);
            reads.add(view::arrayOffset);
        }
        for (ThrowingCallable read : reads) {
            assertThatThrownBy(read).isInstanceOf(IllegalReferenceCountException.class);
        }
        assertThat(parent.release()).isTrue();
    }

    @Test
    void reusesTheSameViewObjectsCycleAfterCycle() {
        int perCycle = 64;
        ByteBuf parent = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, 256, 256).writeZero(200);
        Set<ByteBuf> firstCycle = Collections.newSetFromMap(new IdentityHashMap<>());
        onLoop(() -> {
            LoopViews.Frame frame = views.open(parent.retain());
            List<ByteBuf> taken = new ArrayList<>();
            for (int i = 0; i < perCycle; i++) {
                taken.add(frame.view());
            }
            frame.close();
            firstCycle.addAll(taken);
            taken.forEach(ByteBuf::release);
            return null;
        });
        assertThat(firstCycle).hasSize(perCycle);

        int cycles = 2_000;
        long allocated = onLoop(() -> {
            ByteBuf[] taken = new ByteBuf[perCycle];
            long before = allocatedByThisThread();
            for (int cycle = 0; cycle < cycles; cycle++) {
                LoopViews.Frame frame = views.open(parent.retain());
                for (int i = 0; i < perCycle; i++) {
                    taken[i] = frame.view();
                }
                boolean closeFirst = (cycle & 1) == 0;
                if (closeFirst) {
                    frame.close();
                }
                for (int i = 0; i < perCycle; i++) {
                    ByteBuf view = taken[(i * 7 + cycle) % perCycle]; // 7 and 64 are coprime: each once, a new order
                    assertFresh(view);
                    view.readerIndex(i % 100).markReaderIndex().writerIndex(150 + i % 50).markWriterIndex();
                    view.release();
                }
                if (!closeFirst) {
                    frame.close();
                }
            }
            long used = allocatedByThisThread() - before;
            for (int i = 0; i < perCycle; i++) {
                // an identity set: ByteBuf.equals would read the released views' bytes, and throw
                assertThat(firstCycle.contains(taken[i])).as("view %d of the last cycle is reused", i).isTrue();
            }
            return used;
        });
        assertThat(onLoop(views::outstanding)).isZero();
        assertThat(parent.refCnt()).isEqualTo(1);
        assumeThat(allocated).as("thread allocation accounting is available").isNotNegative();
        assertThat((double) allocated / ((long) cycles * perCycle)).as("bytes allocated per view, a frame a cycle")
                .isLessThanOrEqualTo(2.0);
        parent.release();
    }

    /** A view as {@code view()} hands it out, whatever its object was used for before. */
    private static void assertFresh(ByteBuf view) {
        if (view.refCnt() != 1 || view.readerIndex() != 0 || view.writerIndex() != 200 || view.capacity() != 200) {
            throw new AssertionError("not reset for reuse: " + view);
        }
        view.readerIndex(10).writerIndex(20).resetReaderIndex().resetWriterIndex();
        if (view.readerIndex() != 0 || view.writerIndex() != 0) {
            throw new AssertionError("marks not reset for reuse: " + view);
        }
        view.writerIndex(200);
    }

    /** Bytes allocated so far by the calling thread, or -1 without HotSpot's accounting. */
    private static long allocatedByThisThread() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            return threads.getCurrentThreadAllocatedBytes();
        }
        return -1;
    }
}
