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
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code count} server-side {@link SinkChannel}s spread evenly over the event loops of one group: real channels with
 * real pipelines and outbound buffers whose transport accepts every flushed byte, so the server's side of a fan-out
 * is measured without a peer's read path. Each is connected from an idle {@link LocalChannel} peer that never
 * receives anything; the pipeline {@code streamInit} builds is the stream's.
 *
 * <p>Not thread-safe: build, use and {@link #close()} from one thread.
 */
final class SinkStreams implements AutoCloseable {
    private static final int CONNECTS_IN_FLIGHT = 2048;

    private final EventLoopGroup group;
    private final List<EventLoop> loops = new ArrayList<>();
    private final List<SinkCount> counts = new ArrayList<>();
    private final List<Channel> servers = new ArrayList<>();
    private final List<Channel> peers = new ArrayList<>();
    private final List<List<Channel>> byLoop = new ArrayList<>();
    private final List<Channel> streams;

    SinkStreams(int count, int threads, Consumer<Channel> streamInit) throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("sink-loop", true),
                LocalIoHandler.newFactory());
        ConcurrentLinkedQueue<Channel> accepted = new ConcurrentLinkedQueue<>();
        List<Bootstrap> clients = new ArrayList<>();
        List<LocalAddress> addresses = new ArrayList<>();
        PeerSink idle = new PeerSink();
        for (int t = 0; t < threads; t++) {
            EventLoop loop = group.next();
            SinkCount sinkCount = new SinkCount();
            loops.add(loop);
            counts.add(sinkCount);
            LocalAddress address = new LocalAddress("ssecast-sink-" + System.identityHashCode(this) + "-" + t);
            servers.add(new ServerBootstrap()
                    .group(loop, loop)
                    .channelFactory(() -> new SinkServerChannel(sinkCount))
                    .childHandler(new ChannelInitializer<LocalChannel>() {
                        @Override
                        protected void initChannel(LocalChannel ch) {
                            streamInit.accept(ch);
                            accepted.add(ch);
                        }
                    })
                    .bind(address).sync().channel());
            addresses.add(address);
            clients.add(new Bootstrap().group(loop).channel(LocalChannel.class).handler(idle));
        }
        List<ChannelFuture> inFlight = new ArrayList<>(CONNECTS_IN_FLIGHT);
        for (int i = 0; i < count; i++) {
            int t = i % threads;
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
                throw new IllegalStateException("accepted " + accepted.size() + " of " + count + " sink streams");
            }
            Thread.onSpinWait();
        }
        streams = new ArrayList<>(accepted);
        for (EventLoop loop : loops) {
            List<Channel> own = new ArrayList<>();
            for (Channel stream : streams) {
                if (stream.eventLoop() == loop) {
                    own.add(stream);
                }
            }
            byLoop.add(own);
        }
    }

    /** The server ends, the channels a broadcaster writes to. */
    List<Channel> streams() {
        return streams;
    }

    /** The event loops. */
    List<EventLoop> loops() {
        return loops;
    }

    /** The streams of {@code loops().get(i)}. */
    List<Channel> streamsOf(int loop) {
        return byLoop.get(loop);
    }

    /** Bytes all sinks accepted so far; call after a {@link LoopBarrier} has passed. */
    long bytes() {
        long total = 0;
        for (int i = 0; i < counts.size(); i++) { // indexed: no iterator on the measured path
            total += counts.get(i).bytes;
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
