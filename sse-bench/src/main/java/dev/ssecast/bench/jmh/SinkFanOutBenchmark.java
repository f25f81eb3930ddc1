package dev.ssecast.bench.jmh;

import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.SseHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelMatchers;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The server's side of one tick's fan-out: as {@link FanOutBenchmark}, but every stream is a {@link SinkChannel}
 * whose transport accepts the flushed bytes as a socket buffer with room would, with no peer pipeline to pay for.
 * Each stream was upgraded by {@code GET /events?topic=bench} fired into its {@code HttpServerCodec} +
 * {@link SseHandler} pipeline on its loop; with {@code protocol=h2}, each stream is instead an HTTP/2 stream of a
 * sink connection, opened by a HEADERS frame fired into the connection ({@link #protocol}). Contenders, all in one run ({@code strategy}):
 * <ul>
 *   <li>{@code ssecast}: publish, then one tick on this thread ({@link ManualTicks}): one task per loop.</li>
 *   <li>{@code channelGroup}: {@link DefaultChannelGroup#writeAndFlush(Object)} (a promise per channel).</li>
 *   <li>{@code channelGroupVoid}: the same with {@code voidPromise = true}.</li>
 *   <li>{@code naive}: {@code writeAndFlush(frame.retainedDuplicate())} per channel from this thread.</li>
 *   <li>{@code perLoopNaive}: the same loop, run as one task per event loop over that loop's channels.</li>
 *   <li>{@code floor}: one task per loop that sums each of its channels' {@code isWritable()}: the cost of
 *       visiting the streams, and nothing else.</li>
 * </ul>
 * An operation ends when every loop has run everything it was given ({@link LoopBarrier}). {@code deliveries}
 * counts {@code connections} per operation (streams visited, for {@code floor}); {@code sinkBytes} the bytes the
 * sinks accepted, so bytes per delivery = sinkBytes / deliveries (the frame's length, 0 for {@code floor});
 * {@code shortBytes} the bytes an operation should have written and did not (0 unless a contender is broken).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Xms4g", "-Xmx4g"})
public class SinkFanOutBenchmark {
    private static final long TIMEOUT_SECONDS = 60;

    @Param({"1000", "10000", "100000"})
    public int connections;

    @Param({"ssecast", "channelGroup", "channelGroupVoid", "naive", "perLoopNaive", "floor"})
    public String strategy;

    /** Netty's leak detection while measuring: {@code disabled} (the forks' default) or {@code simple}. */
    @Param({"disabled", "simple"})
    public String leakDetection;

    @Param({"pooled", "adaptive"})
    public String allocator;

    /**
     * How the sinks gather a flush: {@code epoll} as the epoll and io_uring transports do (a memory address, no
     * {@code ByteBuffer}: what a server on Linux runs), {@code nio} as {@code NioSocketChannel} does.
     */
    @Param({"epoll", "nio"})
    public String gather;

    /**
     * What each stream is: {@code http1}, a sink channel of its own ({@code HttpServerCodec} + {@link SseHandler}),
     * or {@code h2} ({@code -p protocol=h2}, or {@code -p protocol=http1,h2} for both in one run), a stream of an
     * HTTP/2 connection: {@code connections / streamsPerConnection} sink channels, each with the server's
     * {@code Http2FrameCodec} + {@code Http2MultiplexHandler}, each stream a child channel with
     * {@code Http2StreamFrameToHttpObjectCodec(true)} + {@link SseHandler} ({@link SinkStreams#subscribedH2}).
     * Over h2 a delivery is one DATA frame: its 9-byte header and the event's payload, without the chunk framing.
     * Harness overhead of h2 only, inside the score: a second {@link LoopBarrier} per operation (a stream's flush
     * is a task of its connection, run after the first barrier's marker), and the flow-control top-ups of
     * {@link H2Windows}, one every 10,000 operations or so. Only {@code http1} by default, so that runs which do
     * not ask for h2 measure what they measured before.
     */
    @Param({"http1"})
    public String protocol;

    /** HTTP/2 only: streams per connection (the last connection may carry fewer). */
    @Param({"1000"})
    public int streamsPerConnection;

    /**
     * HTTP/2 only: each connection's write-buffer high water mark in bytes, its low mark half of it. Netty's
     * default (64 KiB) is less than one tick of 1,000 streams (about 110 KB), so each tick flips the connection's
     * writability, and the flow controller then visits every stream; {@code -p h2ConnectionHighWaterMark=1048576}
     * shows what a server that sized it for its streams would pay.
     */
    @Param({"65536"})
    public int h2ConnectionHighWaterMark;

    /**
     * HTTP/2 only: how each connection's flow controller shares its window among streams: Netty's default
     * {@code weighted} (WeightedFairQueueByteDistributor, for priorities event streams never use) or
     * {@code uniform} (UniformStreamByteDistributor).
     */
    @Param({"weighted"})
    public String h2Distributor;

    /**
     * {@code on}: also sum the event loops' CPU time over each operation ({@code loopCpuNanos}, read with
     * {@code ThreadMXBean.getThreadCpuTime} before and after it) and the deliveries it covers
     * ({@code loopCpuDeliveries}), so that the loops' CPU per delivery = loopCpuNanos / loopCpuDeliveries: on a
     * machine whose cores are shared with other work, CPU time varies far less than wall time. Off by default, so
     * that runs which do not ask for it measure what they did.
     */
    @Param({"off"})
    public String loopCpu;

    /** Event loops serving the channels: one per core here. */
    @Param({"2"})
    public int threads;

    private ResourceLeakDetector.Level levelBefore;
    private SinkStreams sinks;
    private LoopBarrier barrier;
    private ByteBufAllocator alloc;
    private byte[] frameBytes;
    /** The bytes one delivery hands its sink: the chunk frame over http1, a DATA frame over h2. */
    private int deliveryBytes;
    /** HTTP/2 only, else null. */
    private H2Windows windows;
    private ManualTicks ticks;
    private SseBroadcaster broadcaster;
    private SseEvent event;
    private ChannelGroup group;
    private List<Channel> streams;
    private LoopTask[] loopTasks;
    private long bytes;
    /** The loops' thread ids when {@code loopCpu=on}, else null. */
    private long[] loopThreads;
    private final ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
    /** The last frame this class built, for the harness test's release check; null for {@code ssecast}. */
    ByteBuf lastFrame;

    /** Deliveries, reported as a rate beside the tick score. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Deliveries {
        public long deliveries;
        public long sinkBytes;

        @Setup(Level.Iteration)
        public void reset() {
            deliveries = 0;
            sinkBytes = 0;
        }
    }

    /**
     * Bytes due that the sinks did not accept by the end of their operation. Over h2 it may be negative when a
     * connection's writes outgrow its write buffer within one flush: the flow controller then splits a DATA frame
     * at the writable budget, and the second part carries a 9-byte header of its own.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Shortfall {
        public long shortBytes;

        @Setup(Level.Iteration)
        public void reset() {
            shortBytes = 0;
        }
    }

    /**
     * The event loops' CPU time during operations and the deliveries they made, when {@code loopCpu=on}; summed
     * over an iteration.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class LoopCpu {
        public long loopCpuNanos;
        public long loopCpuDeliveries;

        @Setup(Level.Iteration)
        public void reset() {
            loopCpuNanos = 0;
            loopCpuDeliveries = 0;
        }
    }

    /** One loop's share of {@code perLoopNaive} or {@code floor}; runs on that loop, owns one reference of frame. */
    static final class LoopTask implements Runnable {
        private final List<Channel> own;
        private final boolean writes;
        ByteBuf frame;
        long writable;

        LoopTask(List<Channel> own, boolean writes) {
            this.own = own;
            this.writes = writes;
        }

        @Override
        public void run() {
            if (writes) {
                ByteBuf f = frame;
                for (int i = 0; i < own.size(); i++) {
                    own.get(i).writeAndFlush(f.retainedDuplicate(), own.get(i).voidPromise());
                }
                f.release();
            } else {
                long sum = 0;
                for (int i = 0; i < own.size(); i++) {
                    sum += own.get(i).isWritable() ? 1 : 0;
                }
                writable += sum;
            }
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException, TimeoutException {
        levelBefore = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.valueOf(leakDetection.toUpperCase(Locale.ROOT)));
        alloc = BenchFrames.allocator(allocator);
        frameBytes = BenchFrames.chunkFrame();
        event = BenchFrames.event();
        ticks = new ManualTicks(SseBroadcaster.builder().heartbeat(Duration.ofHours(1))
                .firstId(BenchFrames.FIRST_ID).allocator(alloc));
        broadcaster = ticks.broadcaster();
        SinkChannel.Gather gathers = SinkChannel.Gather.valueOf(gather.toUpperCase(Locale.ROOT));
        switch (protocol) {
            case "http1":
                sinks = SinkStreams.subscribed(connections, threads, ticks, TIMEOUT_SECONDS, gathers);
                deliveryBytes = frameBytes.length;
                break;
            case "h2":
                sinks = SinkStreams.subscribedH2(connections, streamsPerConnection, threads, ticks, TIMEOUT_SECONDS,
                        gathers, new WriteBufferWaterMark(h2ConnectionHighWaterMark / 2, h2ConnectionHighWaterMark),
                        "uniform".equals(h2Distributor));
                windows = sinks.windows();
                deliveryBytes = BenchFrames.dataFrameLength();
                break;
            default:
                throw new IllegalArgumentException("protocol must be http1 or h2, was " + protocol);
        }
        barrier = new LoopBarrier(sinks.loops());
        streams = sinks.streams();
        switch (strategy) {
            case "channelGroup":
            case "channelGroupVoid":
                group = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
                group.addAll(streams);
                break;
            case "perLoopNaive":
            case "floor":
                loopTasks = new LoopTask[threads];
                for (int t = 0; t < threads; t++) {
                    loopTasks[t] = new LoopTask(sinks.streamsOf(t), strategy.equals("perLoopNaive"));
                }
                break;
            case "ssecast":
            case "naive":
                break;
            default:
                throw new IllegalArgumentException("strategy must be ssecast, channelGroup, channelGroupVoid, naive, "
                        + "perLoopNaive or floor, was " + strategy);
        }
        bytes = sinks.bytes();
        if (loopCpu.equals("on")) {
            loopThreads = new long[sinks.loops().size()];
            for (int t = 0; t < loopThreads.length; t++) {
                try {
                    loopThreads[t] = sinks.loops().get(t).submit(() -> Thread.currentThread().getId()).get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e);
                }
            }
        } else if (!loopCpu.equals("off")) {
            throw new IllegalArgumentException("loopCpu must be on or off, was " + loopCpu);
        }
    }

    /** The loops' CPU time so far, or 0 when not asked for. */
    private long loopCpuNanos() {
        long total = 0;
        for (int t = 0; loopThreads != null && t < loopThreads.length; t++) {
            total += threadBean.getThreadCpuTime(loopThreads[t]);
        }
        return total;
    }

    @Benchmark
    public void fanOut(Deliveries deliveries, Shortfall shortfall, LoopCpu cpu) throws TimeoutException {
        long cpuBefore = loopCpuNanos();
        switch (strategy) {
            case "ssecast":
                broadcaster.publish(BenchFrames.TOPIC, event);
                ticks.tick();
                break;
            case "channelGroup":
                group.writeAndFlush(frame());
                break;
            case "channelGroupVoid":
                group.writeAndFlush(frame(), ChannelMatchers.all(), true);
                break;
            case "naive": {
                ByteBuf frame = frame();
                for (int i = 0; i < streams.size(); i++) {
                    streams.get(i).writeAndFlush(frame.retainedDuplicate());
                }
                frame.release();
                break;
            }
            case "perLoopNaive": {
                ByteBuf frame = frame();
                frame.retain(loopTasks.length); // one reference per loop task, which releases it
                for (int t = 0; t < loopTasks.length; t++) {
                    loopTasks[t].frame = frame;
                    sinks.loops().get(t).execute(loopTasks[t]);
                }
                frame.release();
                break;
            }
            default: // floor
                for (int t = 0; t < loopTasks.length; t++) {
                    sinks.loops().get(t).execute(loopTasks[t]);
                }
                break;
        }
        barrier.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (windows != null) {
            barrier.await(TIMEOUT_SECONDS, TimeUnit.SECONDS); // the connections' flushes, queued by the writes
            if (!strategy.equals("floor")) {
                windows.sent(deliveryBytes - BenchFrames.DATA_FRAME_HEADER);
            }
        }
        if (loopThreads != null) {
            cpu.loopCpuNanos += loopCpuNanos() - cpuBefore;
            cpu.loopCpuDeliveries += connections;
        }
        long now = sinks.bytes();
        long due = strategy.equals("floor") ? 0 : (long) connections * deliveryBytes;
        deliveries.deliveries += connections;
        deliveries.sinkBytes += now - bytes;
        shortfall.shortBytes += due - (now - bytes);
        bytes = now;
    }

    /** Streams found writable by {@code floor} so far; call after an operation. */
    long writableVisits() {
        long total = 0;
        if (loopTasks != null) {
            for (LoopTask task : loopTasks) {
                total += task.writable;
            }
        }
        return total;
    }

    /** Bytes the sinks accepted so far, the upgrade responses included; call after an operation. */
    long sinkBytes() {
        return sinks.bytes();
    }

    /** The bytes of one delivery: the chunk frame over http1, the DATA frame (header and payload) over h2. */
    int frameLength() {
        return deliveryBytes;
    }

    /** HTTP/2 only, else null: the flow-control windows the harness keeps open. */
    H2Windows windows() {
        return windows;
    }

    /** This tick's frame, built once from the allocator like the broadcaster's; the caller owns it. */
    private ByteBuf frame() {
        lastFrame = alloc.directBuffer(frameBytes.length).writeBytes(frameBytes);
        return lastFrame;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ticks.close();
        if (group != null) {
            group.clear();
        }
        sinks.close();
        ResourceLeakDetector.setLevel(levelBefore);
    }
}
