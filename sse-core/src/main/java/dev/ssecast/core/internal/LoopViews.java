package dev.ssecast.core.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.internal.ObjectUtil;

import java.util.Arrays;

/**
 * Read-only views of shared frames for the channels of one event loop; confined to that loop: every method but
 * {@link #outstanding()} runs on it, and so does every {@code retain} and {@code release} of its views. A view's
 * count is a plain {@code int}, so a delivery touches neither the frame's atomic count nor the allocator: the
 * loop takes a view per channel from its free list, and the view goes back when the channel has written it.
 *
 * <p>Ownership: {@link #open} takes one reference of a parent buffer for a {@link Frame}; the frame releases it
 * once, when it is {@linkplain Frame#close() closed} and every view taken from it has been released. Write a view
 * only to channels of this loop: an outbound buffer releases its messages on its channel's loop, and a
 * {@code LocalChannel} hands the very message to its peer, which releases it on the peer's loop.
 *
 * <p>A leaked view is not seen by Netty's leak detector, which tracks the parent only; but the view keeps its
 * frame and the frame keeps the parent, so a view dropped unreleased shows up as a leak of a tracked parent.
 */
final class LoopViews {
    /** Released views kept for reuse at most; past it, released views are left to the garbage collector. */
    static final int MAX_FREE = 1 << 16;

    private final EventLoop loop;
    private LoopView[] free = new LoopView[16];
    private int freeCount;
    private int outstanding;

    LoopViews(EventLoop loop) {
        this.loop = ObjectUtil.checkNotNull(loop, "loop");
    }

    /**
     * Opens one tick's frame over {@code parent}'s readable bytes as they are now, {@code [readerIndex,
     * writerIndex)}; its views read them at that offset whatever the parent's indexes do later. Takes ownership
     * of one reference of {@code parent}, which the caller hands over: the frame releases it when closed and done
     * with; if this throws for any other reason (off the loop, out of memory), it has released it already, so
     * the caller never holds it after a failure.
     *
     * @throws IllegalReferenceCountException if {@code parent} was released already, so there was nothing to hand
     */
    Frame open(ByteBuf parent) {
        ObjectUtil.checkNotNull(parent, "parent");
        if (parent.refCnt() == 0) {
            throw new IllegalReferenceCountException(0);
        }
        try {
            checkOnLoop("LoopViews.open()");
            return new Frame(this, parent);
        } catch (RuntimeException | Error failed) {
            parent.release(); // the reference handed over: nobody else holds it now
            throw failed;
        }
    }

    /**
     * Views taken on this loop and not yet released, over all frames. Exact on the loop; from any other thread a
     * racy reading, good enough for a gauge.
     */
    int outstanding() {
        return outstanding;
    }

    void checkOnLoop(String operation) {
        if (!loop.inEventLoop()) {
            throw offLoop(operation);
        }
    }

    private IllegalStateException offLoop(String operation) {
        return new IllegalStateException(operation + " called on thread " + Thread.currentThread().getName()
                + ", off the event loop " + loop + " its views are confined to: their counts are plain ints");
    }

    private LoopView take(Frame frame) {
        LoopView view;
        if (freeCount == 0) {
            view = new LoopView(this);
        } else {
            view = free[--freeCount];
            free[freeCount] = null;
        }
        view.init(frame, frame.parent, frame.offset, frame.length);
        outstanding++;
        return view;
    }

    /** A view's count reached 0: it is free for the next {@link Frame#view()}. */
    void recycle(LoopView view) {
        outstanding--;
        if (freeCount == free.length) {
            if (freeCount == MAX_FREE) {
                return;
            }
            free = Arrays.copyOf(free, Math.min(MAX_FREE, freeCount * 2));
        }
        free[freeCount++] = view;
    }

    /**
     * One parent's bytes for one tick on this loop; confined to the loop, like its {@link LoopViews}. Holds the
     * one reference of the parent that {@link #open} took, and releases it exactly once: at {@link #close()} if
     * no view is out, else when the last view taken from it is released.
     */
    static final class Frame {
        private final LoopViews views;
        private final ByteBuf parent;
        private final int offset;
        private final int length;
        /** Views taken from this frame and not yet released. */
        private int open;
        private boolean closed;

        private Frame(LoopViews views, ByteBuf parent) {
            this.views = views;
            this.parent = parent;
            this.offset = parent.readerIndex();
            this.length = parent.readableBytes();
        }

        /**
         * A new view of this frame's bytes, of count 1, owned by the caller: release it, or write it to a channel
         * of this loop, which releases it once written. Neither retains nor releases the parent.
         */
        ByteBuf view() {
            views.checkOnLoop("Frame.view()");
            if (closed) {
                throw new IllegalStateException("Frame.view() after close(): the parent may be released already");
            }
            open++;
            return views.take(this);
        }

        /**
         * No more views will be taken. Releases the parent now if no view is out, else the last view's release
         * does. Call it once.
         */
        void close() {
            views.checkOnLoop("Frame.close()");
            if (closed) {
                throw new IllegalStateException("Frame.close() twice: the frame holds one reference of its parent");
            }
            closed = true;
            if (open == 0) {
                parent.release();
            }
        }

        void viewReleased() {
            if (--open == 0 && closed) {
                parent.release();
            }
        }
    }
}
