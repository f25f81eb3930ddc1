package dev.ssecast.core.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Views on real channels of the in-VM transport. Writer and reader of each pair share the views' loop, since a
 * {@code LocalChannel} hands the written message itself to its peer, which releases it on its own loop.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopViewChannelTest {
    private static final int LOW_WATER = 64;
    private static final int HIGH_WATER = 128;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    private final EventLoop loop = group.next();
    private final LoopViews views = new LoopViews(loop);
    private final LocalAddress address = new LocalAddress("loop-views-" + System.nanoTime());
    private final BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    /** The frames' pool, without thread caches: a freed frame goes back to the arena for the next tick's. */
    private final PooledByteBufAllocator pool = new PooledByteBufAllocator(true, 1, 1, 8192, 9, 0, 0, false);
    private final List<Channel> channels = new ArrayList<>();

    @BeforeEach
    void listen() {
        channels.add(new ServerBootstrap().group(loop, loop).channel(LocalServerChannel.class)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(LOW_WATER, HIGH_WATER))
                .childHandler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel ch) {
                        accepted.add(ch);
                    }
                })
                .bind(address).syncUninterruptibly().channel());
    }

    @AfterEach
    void stop() {
        channels.forEach(channel -> channel.close().syncUninterruptibly());
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private <T> T onLoop(Callable<T> task) {
        return loop.submit(task).syncUninterruptibly().getNow();
    }

    /** A slow consumer: the server end writes views, the client end reads only when drained. Loop-confined. */
    private final class Consumer extends ChannelInboundHandlerAdapter {
        final Channel reader;
        final Channel writer;
        /** Ticks between drains; flushed each tick, or only at a drain. */
        final int period;
        final boolean flushEachTick;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final AtomicLong receivedBytes = new AtomicLong();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        int viewsReceived;
        boolean sawUnwritable;
        long mostPending;

        Consumer(int period, boolean flushEachTick) throws InterruptedException {
            this.period = period;
            this.flushEachTick = flushEachTick;
            reader = new Bootstrap().group(loop).channel(LocalChannel.class).option(ChannelOption.AUTO_READ, false)
                    .handler(this).connect(address).syncUninterruptibly().channel();
            writer = accepted.poll(10, TimeUnit.SECONDS);
            assertThat(writer).as("accepted").isNotNull();
            channels.add(reader);
            channels.add(writer);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            ByteBuf bytes = (ByteBuf) msg;
            try {
                viewsReceived += bytes instanceof LoopView ? 1 : 0; // else the peer coalesced several into a copy
                bytes.getBytes(bytes.readerIndex(), received, bytes.readableBytes());
                receivedBytes.addAndGet(bytes.readableBytes());
            } finally {
                bytes.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failures.add(cause);
        }

        void deliver(LoopViews.Frame frame) {
            assertThat(writer.isActive()).as("open: nothing failed on either end").isTrue();
            if (flushEachTick) {
                writer.writeAndFlush(frame.view(), writer.voidPromise());
                return;
            }
            writer.write(frame.view(), writer.voidPromise());
            sawUnwritable |= !writer.isWritable();
            mostPending = Math.max(mostPending, writer.unsafe().outboundBuffer().totalPendingWriteBytes());
        }

        /** Flushes what is held, then reads what the peer holds; the reader stops again soon after. */
        void drain() {
            writer.flush();
            reader.config().setAutoRead(true);
            reader.config().setAutoRead(false);
        }
    }

    @Test
    void slowConsumersReadEveryByteExactlyWhileThePoolReusesFreedFramesUnderTheirQueuedViews() throws Exception {
        List<Consumer> consumers = new ArrayList<>();
        for (int period : new int[] {2, 3, 5}) {
            consumers.add(new Consumer(period, true)); // views wait in the peer's inbound queue
        }
        for (int period : new int[] {4, 7}) {
            consumers.add(new Consumer(period, false)); // and in the writer's outbound buffer, unwritable
        }
        int ticks = 300;
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        List<ByteBuf> parents = new ArrayList<>();
        Set<String> places = new HashSet<>();
        int reused = 0;
        for (int t = 0; t < ticks; t++) {
            int tick = t;
            String place = onLoop(() -> {
                byte[] payload = ParentKind.pattern(tick, 600 + tick * 37 % 400);
                int skipped = 1 + tick % 5;
                ByteBuf parent = tick % 2 == 0 ? pool.directBuffer(1024) : pool.heapBuffer(1024);
                parent.writeZero(skipped).writeBytes(payload).readerIndex(skipped);
                parents.add(parent);
                sent.write(payload);
                String where = parent.hasMemoryAddress() ? "address " + parent.memoryAddress()
                        : "array " + System.identityHashCode(parent.array()) + "+" + parent.arrayOffset();
                LoopViews.Frame frame = views.open(parent); // the tick's reference, handed over
                for (Consumer consumer : consumers) {
                    consumer.deliver(frame);
                }
                frame.close();
                for (Consumer consumer : consumers) {
                    if (tick % consumer.period == consumer.period - 1) {
                        consumer.drain();
                    }
                }
                return where;
            });
            reused += places.add(place) ? 0 : 1;
        }
        onLoop(() -> {
            for (Consumer consumer : consumers) {
                consumer.writer.flush();
                consumer.reader.config().setAutoRead(true);
            }
            return null;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> consumers.stream()
                .allMatch(consumer -> consumer.receivedBytes.get() >= sent.size() || !consumer.failures.isEmpty()));
        assertThat(consumers).allMatch(consumer -> consumer.failures.isEmpty(), "no read failed");

        byte[] expected = sent.toByteArray();
        for (Consumer consumer : consumers) {
            byte[] got = onLoop(consumer.received::toByteArray);
            assertThat(got).as("every byte, in order, for the consumer drained every %d ticks", consumer.period)
                    .isEqualTo(expected);
        }
        assertThat(reused).as("the pool gave later frames the memory of freed ones").isGreaterThan(ticks / 4);
        assertThat(consumers).as("some views reached the peers themselves, not coalesced into copies")
                .anyMatch(consumer -> consumer.viewsReceived > 0);
        assertThat(consumers.subList(3, 5)).allMatch(consumer -> consumer.sawUnwritable
                && consumer.mostPending > 4 * HIGH_WATER);
        assertThat(onLoop(views::outstanding)).isZero();
        // Read after the last release with nothing allocated from this pool since, so no frame was reused.
        assertThat(parents).allMatch(parent -> parent.refCnt() == 0);
        List<PoolArenaMetric> arenas = new ArrayList<>(pool.metric().directArenas());
        arenas.addAll(pool.metric().heapArenas());
        assertThat(arenas).as("every frame was freed back to its arena")
                .allMatch(arena -> arena.numActiveAllocations() == 0);
    }

    @Test
    void aQueuedViewCountsItsReadableBytesTowardTheChannelsWritability() throws Exception {
        Consumer consumer = new Consumer(1, false);
        Channel writer = consumer.writer;
        byte[] payload = ParentKind.pattern(9, 300);
        onLoop(() -> {
            ChannelOutboundBuffer outbound = writer.unsafe().outboundBuffer();
            assertThat(outbound.totalPendingWriteBytes()).isZero();
            writer.write(Unpooled.wrappedBuffer(new byte[payload.length]), writer.voidPromise());
            long plain = outbound.totalPendingWriteBytes(); // its bytes, and the outbound buffer's overhead
            long overhead = plain - payload.length;
            assertThat(writer.isWritable()).isFalse();
            writer.flush();
            assertThat(writer.isWritable()).isTrue();

            ByteBuf parent = pool.directBuffer(512).writeZero(3).writeBytes(payload).readerIndex(3);
            LoopViews.Frame frame = views.open(parent);
            ByteBuf whole = frame.view();
            ByteBuf tail = frame.view().readerIndex(payload.length - 10);
            frame.close();
            writer.write(whole, writer.voidPromise());
            assertThat(outbound.totalPendingWriteBytes()).as("as a plain buffer of as many bytes").isEqualTo(plain);
            assertThat(writer.isWritable()).as("over the high water mark").isFalse();
            writer.write(tail, writer.voidPromise());
            assertThat(outbound.totalPendingWriteBytes()).as("the readable bytes, not the capacity")
                    .isEqualTo(plain + 10 + overhead);
            assertThat(views.outstanding()).isEqualTo(2);
            writer.flush();
            assertThat(outbound.totalPendingWriteBytes()).isZero();
            assertThat(writer.isWritable()).isTrue();
            consumer.reader.config().setAutoRead(true);
            return null;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.receivedBytes.get() >= 2L * payload.length + 10);
        byte[] got = onLoop(consumer.received::toByteArray);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(new byte[payload.length]);
        expected.write(payload);
        expected.write(payload, payload.length - 10, 10);
        assertThat(got).isEqualTo(expected.toByteArray());
        assertThat(onLoop(views::outstanding)).isZero();
    }
}
