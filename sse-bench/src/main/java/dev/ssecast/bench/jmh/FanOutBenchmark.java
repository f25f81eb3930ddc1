package dev.ssecast.bench.jmh;

import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.SseHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpServerCodec;
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

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One tick's frame delivered to every one of {@code connections} in-VM channels and flushed, by three contenders
 * in the same run:
 * Every channel became a stream the way a server's do: its peer sent {@code GET /events?topic=bench} through
 * {@code HttpServerCodec} and {@link SseHandler}, which answered, left the stream's pipeline to its sink and
 * subscribed it; so all three contenders write through the same real pipelines.
 * <ul>
 *   <li>{@code ssecast}: the broadcaster's own path. A broadcaster that is never started is ticked on the benchmark
 *       thread ({@link ManualTicks}), which stands in for the tick thread: it drains the publish queue, encodes
 *       the event once, builds the audience's chunk frame and hands each event loop one task
 *       ({@code LoopPartition.fanOut}) that writes a retained duplicate to each of its channels with the void
 *       promise, flushing each once.</li>
 *   <li>{@code channelGroup}: Netty's {@link DefaultChannelGroup#writeAndFlush(Object)} of the same bytes from the
 *       timer thread (a task, a promise and a map entry per channel).</li>
 *   <li>{@code naive}: {@code channel.writeAndFlush(frame.retainedDuplicate())} for each channel from the timer
 *       thread (a task and a promise per channel).</li>
 * </ul>
 * An operation ends when every event loop has run everything the operation queued on it ({@link LoopBarrier}), so
 * every write has been flushed and read by its peer; the peers' count is checked against {@code connections} after
 * each operation and any shortfall shows as {@code drops}.
 *
 * <p>The score is ticks per second; {@code deliveries} is the same work per delivered frame. JMH's
 * {@code @OperationsPerInvocation} needs a constant, so per-delivery figures are derived from these (see
 * {@code JmhTable}): ns per delivery = 1e9 / deliveries per second, bytes per delivery = {@code gc.alloc.rate.norm}
 * / {@code connections}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Xms4g", "-Xmx4g"})
public class FanOutBenchmark {
    private static final long TIMEOUT_SECONDS = 60;

    @Param({"1000", "10000", "100000"})
    public int connections;

    @Param({"ssecast", "channelGroup", "naive"})
    public String strategy;

    /**
     * The frames' allocator: {@code pooled}, the broadcaster's default since sse-core 01dad94, or {@code adaptive},
     * Netty 4.2's default (its duplicates are not recycled: 40 more bytes per delivery).
     */
    @Param({"pooled"})
    public String allocator;

    /** Event loops serving the channels: one per core here. */
    @Param({"2"})
    public int threads;

    private static final byte[] REQUEST = ("GET /events?topic=" + BenchFrames.TOPIC + " HTTP/1.1\r\nHost: bench\r\n"
            + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    private LocalPairs pairs;
    private LoopBarrier barrier;
    private ByteBufAllocator alloc;
    private byte[] frameBytes;
    private ManualTicks ticks;
    private SseBroadcaster broadcaster;
    private SseEvent event;
    private ChannelGroup group;
    private List<Channel> streams;
    private long received;

    /** Deliveries, reported as a rate beside the tick score. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Deliveries {
        public long deliveries;

        @Setup(Level.Iteration)
        public void reset() {
            deliveries = 0;
        }
    }

    /** Frames that did not reach their peer by the end of their operation; 0 unless a contender is broken. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Drops {
        public long drops;

        @Setup(Level.Iteration)
        public void reset() {
            drops = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException, TimeoutException {
        alloc = BenchFrames.allocator(allocator);
        frameBytes = BenchFrames.chunkFrame();
        event = BenchFrames.event();
        ticks = new ManualTicks(SseBroadcaster.builder().heartbeat(Duration.ofHours(1))
                .firstId(BenchFrames.FIRST_ID).allocator(alloc));
        broadcaster = ticks.broadcaster();
        SseHandler sse = SseHandler.builder(broadcaster).build();
        pairs = new LocalPairs(connections, threads, ch -> ch.pipeline().addLast(new HttpServerCodec(), sse));
        barrier = new LoopBarrier(pairs.loops());
        streams = pairs.streams();
        for (Channel peer : pairs.peers()) {
            peer.writeAndFlush(Unpooled.wrappedBuffer(REQUEST));
        }
        barrier.await(TIMEOUT_SECONDS, TimeUnit.SECONDS); // every request answered and its stream queued
        ticks.tick(); // admits them: each loop is handed its registrations
        barrier.await(TIMEOUT_SECONDS, TimeUnit.SECONDS); // every stream registered
        if (broadcaster.openStreams() != connections) {
            throw new IllegalStateException("open streams " + broadcaster.openStreams() + " of " + connections);
        }
        switch (strategy) {
            case "ssecast":
            case "naive":
                break;
            case "channelGroup":
                group = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
                group.addAll(streams);
                break;
            default:
                throw new IllegalArgumentException("strategy must be ssecast, channelGroup or naive, was " + strategy);
        }
        received = pairs.received();
    }

    @Benchmark
    public void fanOut(Deliveries deliveries, Drops drops) throws TimeoutException {
        switch (strategy) {
            case "ssecast":
                broadcaster.publish(BenchFrames.TOPIC, event);
                ticks.tick();
                break;
            case "channelGroup":
                group.writeAndFlush(frame()); // writes a duplicate to each channel, releases the frame once
                break;
            default:
                ByteBuf frame = frame();
                for (int i = 0; i < streams.size(); i++) {
                    streams.get(i).writeAndFlush(frame.retainedDuplicate());
                }
                frame.release();
                break;
        }
        barrier.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        long now = pairs.received();
        deliveries.deliveries += now - received;
        drops.drops += connections - (now - received);
        received = now;
    }

    /** This tick's frame, built once from the allocator like the broadcaster's; the caller owns it. */
    private ByteBuf frame() {
        return alloc.directBuffer(frameBytes.length).writeBytes(frameBytes);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ticks.close();
        if (group != null) {
            group.clear();
        }
        pairs.close();
    }
}
