package dev.ssecast.bench.jmh;

import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.SseHandler;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One tick of {@code events} events across {@code audiences} audiences, all on the benchmark thread: the publishes,
 * then the tick (drain the queue, encode each event once, append it to the replay ring, build one chunk frame per
 * audience) and each audience's fan-out task to its one stream. Every audience listens to the topic the events go
 * to, plus one topic of its own that makes it distinct, so each frame carries every event: the most a tick builds.
 *
 * <p>Each stream is an {@link EmbeddedChannel} that asked {@code GET /events?topic=bench&topic=audience-N} through
 * {@code HttpServerCodec} and {@link SseHandler}; its event loop runs on the caller's thread, so the whole tick is
 * measured on one thread and nothing is left queued between operations. Scores are ns per tick; divide by
 * {@code events} for ns per event, and {@code gc.alloc.rate.norm} likewise for bytes per event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
public class TickBenchmark {
    @Param({"1", "10", "100"})
    public int events;

    @Param({"1", "10", "100"})
    public int audiences;

    private ManualTicks ticks;
    private SseBroadcaster broadcaster;
    private SseEvent event;
    private final List<EmbeddedChannel> streams = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() {
        ticks = new ManualTicks(SseBroadcaster.builder().heartbeat(Duration.ofHours(1))
                .firstId(BenchFrames.FIRST_ID).publishQueue(1024));
        broadcaster = ticks.broadcaster();
        event = BenchFrames.event();
        SseHandler sse = SseHandler.builder(broadcaster).build();
        for (int a = 0; a < audiences; a++) {
            EmbeddedChannel stream = new EmbeddedChannel(new HttpServerCodec(), sse);
            stream.writeInbound(Unpooled.copiedBuffer("GET /events?topic=" + BenchFrames.TOPIC + "&topic=audience-"
                    + a + " HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n", StandardCharsets.US_ASCII));
            streams.add(stream);
        }
        ticks.tick(); // admits the streams
        runLoops();
        if (broadcaster.openStreams() != audiences) {
            throw new IllegalStateException("open streams " + broadcaster.openStreams() + " of " + audiences);
        }
    }

    @Benchmark
    public void tick() {
        for (int e = 0; e < events; e++) {
            broadcaster.publish(BenchFrames.TOPIC, event);
        }
        ticks.tick();
        runLoops();
    }

    /** Runs each stream's queued fan-out task and releases what it wrote. */
    private void runLoops() {
        for (int i = 0; i < streams.size(); i++) {
            EmbeddedChannel stream = streams.get(i);
            stream.runPendingTasks();
            Object written;
            while ((written = stream.readOutbound()) != null) {
                ReferenceCountUtil.release(written);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ticks.close();
        runLoops();
        for (EmbeddedChannel stream : streams) {
            stream.finishAndReleaseAll();
        }
    }
}
