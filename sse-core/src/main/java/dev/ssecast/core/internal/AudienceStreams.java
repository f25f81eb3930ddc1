package dev.ssecast.core.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;

import java.util.Arrays;

/**
 * The streams of one audience on one event loop, as flat arrays of what a delivery touches, in the order they
 * joined (but for a removal, which moves the last stream into the gap). Confined to that loop.
 *
 * <p>A delivery reads {@link #channels} and {@link #unwritableSince} at one index, both contiguous, and touches a
 * stream's {@link StreamSlot} only when the stream is slow, expires or leaves.
 */
final class AudienceStreams {
    private static final int FIRST_CAPACITY = 4;

    Channel[] channels = new Channel[FIRST_CAPACITY];
    StreamSlot[] slots = new StreamSlot[FIRST_CAPACITY];
    /** When each stream was first seen unwritable, 0 while writable. */
    long[] unwritableSince = new long[FIRST_CAPACITY];
    /**
     * Per stream, its pipeline's only handler when that one is inbound only, so that a delivery may write through
     * the channel's own outbound path while the pipeline still holds exactly that handler; null otherwise.
     */
    ChannelHandlerContext[] soleInbound = new ChannelHandlerContext[FIRST_CAPACITY];
    /**
     * Per stream, whether its transport is done with a written buffer on the stream's own loop (a socket's does;
     * the in-VM transport hands the buffer itself to its peer, which may be on another loop), so that a direct
     * write may hand it a loop-confined view; see {@link #consumesOnLoop}.
     */
    boolean[] consumesOnLoop = new boolean[FIRST_CAPACITY];
    int size;

    /** Lists {@code slot} last and sets its index. */
    void add(StreamSlot slot) {
        if (size == channels.length) {
            int capacity = size * 2;
            channels = Arrays.copyOf(channels, capacity);
            slots = Arrays.copyOf(slots, capacity);
            unwritableSince = Arrays.copyOf(unwritableSince, capacity);
            soleInbound = Arrays.copyOf(soleInbound, capacity);
            consumesOnLoop = Arrays.copyOf(consumesOnLoop, capacity);
        }
        channels[size] = slot.channel;
        slots[size] = slot;
        unwritableSince[size] = 0;
        soleInbound[size] = soleInbound(slot.channel.pipeline());
        consumesOnLoop[size] = consumesOnLoop(slot.channel);
        slot.index = size++;
    }

    /**
     * The pipeline's context when it holds one handler and that handler sees no outbound operation, else null:
     * then nothing stands between a write and the channel. With one handler, any handler added later changes the
     * pipeline's first or last context, which each delivery compares with this one.
     */
    static ChannelHandlerContext soleInbound(ChannelPipeline pipeline) {
        ChannelHandlerContext only = pipeline.firstContext();
        if (only == null || only != pipeline.lastContext() || only.handler() instanceof ChannelOutboundHandler) {
            return null;
        }
        return only;
    }

    /**
     * Whether {@code channel}'s transport releases what it was written on the channel's loop: every socket
     * transport's stream channels ({@link DuplexChannel}: TCP and Unix domain sockets on NIO, epoll, io_uring and
     * kqueue), and a channel marked with {@link StreamSink#CONSUMES_ON_LOOP}.
     */
    static boolean consumesOnLoop(Channel channel) {
        return channel instanceof DuplexChannel || channel.hasAttr(StreamSink.CONSUMES_ON_LOOP)
                && Boolean.TRUE.equals(channel.attr(StreamSink.CONSUMES_ON_LOOP).get());
    }

    /** Unlists the listed {@code slot} in O(1), moving the last stream into its place. */
    void remove(StreamSlot slot) {
        int index = slot.index;
        int last = --size;
        StreamSlot moved = slots[last];
        channels[index] = channels[last];
        slots[index] = moved;
        unwritableSince[index] = unwritableSince[last];
        soleInbound[index] = soleInbound[last];
        consumesOnLoop[index] = consumesOnLoop[last];
        moved.index = index;
        channels[last] = null;
        soleInbound[last] = null;
        slots[last] = null;
        slot.index = -1;
    }
}
