package dev.ssecast.bench.jmh;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * {@code count} connected pairs of {@link LocalChannel}s on the in-VM transport, spread evenly over the event loops
 * of one group: real channels with real pipelines and outbound buffers, without file descriptors, so that 100,000
 * fit in one process here.
 *
 * <p>Each server end ("the stream") gets the pipeline {@code streamInit} builds. Each client end ("the peer")
 * reads with auto-read and a {@link PeerSink} that counts and releases. Both ends of a
 * pair share one event loop, so a flush hands the bytes to the peer's pipeline on the same thread, the way a
 * socket write hands them to the kernel, and the peers' inbound never piles up.
 *
 * <p>Not thread-safe: build, use and {@link #close()} from one thread.
 */
final class LocalPairs implements AutoCloseable {
    private static final int CONNECTS_IN_FLIGHT = 2048;

    private final EventLoopGroup group;
    private final List<EventLoop> loops = new ArrayList<>();
    private final List<PeerSink> sinks = new ArrayList<>();
    private final List<Channel> servers = new ArrayList<>();
    private final List<Channel> streams;
    private final List<Channel> peers = new ArrayList<>();

    LocalPairs(int count, int threads, Consumer<Channel> streamInit) throws InterruptedException {
        this(count, threads, streamInit, loop -> new LocalServerChannel());
    }

    /**
     * Pairs whose server ends are accepted by the listener {@code serverChannel} makes for each loop (by its index
     * in {@link #loops()}), e.g. one whose children are {@link SinkChannel}s.
     */
    LocalPairs(int count, int threads, Consumer<Channel> streamInit, IntFunction<LocalServerChannel> serverChannel)
            throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("bench-loop", true),
                LocalIoHandler.newFactory());
        ConcurrentLinkedQueue<Channel> accepted = new ConcurrentLinkedQueue<>();
        List<Bootstrap> clients = new ArrayList<>();
        List<LocalAddress> addresses = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            EventLoop loop = group.next();
            PeerSink sink = new PeerSink();
            loops.add(loop);
            sinks.add(sink);
            LocalAddress address = new LocalAddress("ssecast-bench-" + System.identityHashCode(this) + "-" + t);
            servers.add(new ServerBootstrap()
                    .group(loop, loop) // an event loop is a group of one: children stay on the server's loop
                    .channelFactory(() -> serverChannel.apply(index))
                    .childHandler(new ChannelInitializer<LocalChannel>() {
                        @Override
                        protected void initChannel(LocalChannel ch) {
                            streamInit.accept(ch);
                            accepted.add(ch);
                        }
                    })
                    .bind(address).sync().channel());
            addresses.add(address);
            clients.add(new Bootstrap().group(loop).channel(LocalChannel.class).handler(sink));
        }
        List<ChannelFuture> inFlight = new ArrayList<>(CONNECTS_IN_FLIGHT);
        for (int i = 0; i < count; i++) {
            int t = i % threads;
            // A peer's own address is random 32 bits unless given: at 100,000 peers two would collide.
            LocalAddress own = new LocalAddress(addresses.get(t).id() + "-peer-" + i);
            inFlight.add(clients.get(t).connect(addresses.get(t), own));
            if (inFlight.size() == CONNECTS_IN_FLIGHT || i == count - 1) {
                for (ChannelFuture connect : inFlight) {
                    peers.add(connect.sync().channel());
                }
                inFlight.clear();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (accepted.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("accepted " + accepted.size() + " of " + count + " local pairs");
            }
            Thread.onSpinWait();
        }
        streams = new ArrayList<>(accepted);
    }

    /** The server ends, the channels a broadcaster writes to. */
    List<Channel> streams() {
        return streams;
    }

    /** The client ends, in no particular order. */
    List<Channel> peers() {
        return peers;
    }

    /** The event loops, one {@link PeerSink} each. */
    List<EventLoop> loops() {
        return loops;
    }

    /** Buffers received by all peers so far; call after a {@link LoopBarrier} has passed. */
    long received() {
        long total = 0;
        for (int i = 0; i < sinks.size(); i++) { // indexed: no iterator on the measured path
            total += sinks.get(i).messages();
        }
        return total;
    }

    /** Bytes received by all peers so far; call after a {@link LoopBarrier} has passed. */
    long receivedBytes() {
        long total = 0;
        for (PeerSink sink : sinks) {
            total += sink.bytes();
        }
        return total;
    }

    /** Closes every channel and shuts the event loops down, waiting for them. */
    @Override
    public void close() {
        for (Channel peer : peers) {
            peer.close();
        }
        for (Channel server : servers) {
            server.close();
        }
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
