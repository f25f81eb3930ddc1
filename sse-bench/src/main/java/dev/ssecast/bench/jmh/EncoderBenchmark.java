package dev.ssecast.bench.jmh;

import dev.ssecast.core.SseEncoder;
import dev.ssecast.core.SseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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

import java.util.concurrent.TimeUnit;

/**
 * {@link SseEncoder#encode} of one event into a reused buffer: ns per event, and with {@code -prof gc} bytes
 * allocated per event (the encoder promises none beyond its output).
 *
 * <ul>
 *   <li>{@code bench}: the fan-out benchmark's event, a 16-digit id and a 70-byte JSON payload;</li>
 *   <li>{@code typed}: the same with an event type and a retry;</li>
 *   <li>{@code multiline}: four data lines, including a CRLF and a lone CR;</li>
 *   <li>{@code utf8}: a payload with two- and three-byte characters.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
public class EncoderBenchmark {
    @Param({"bench", "typed", "multiline", "utf8"})
    public String shape;

    private SseEvent event;
    private ByteBuf out;

    @Setup(Level.Trial)
    public void setUp() {
        SseEvent.Builder builder = SseEvent.builder().id(Long.toString(BenchFrames.FIRST_ID));
        switch (shape) {
            case "bench":
                event = builder.data(BenchFrames.DATA).build();
                break;
            case "typed":
                event = builder.type("price").retry(java.time.Duration.ofSeconds(3)).data(BenchFrames.DATA).build();
                break;
            case "multiline":
                event = builder.data("first line\nsecond line\r\nthird line\rfourth line").build();
                break;
            case "utf8":
                event = builder.data("{\"city\":\"Zürich\",\"note\":\"€ 12,50 — ok\",\"sign\":\"ü€\"}")
                        .build();
                break;
            default:
                throw new IllegalArgumentException("shape must be bench, typed, multiline or utf8, was " + shape);
        }
        out = Unpooled.directBuffer(1024);
    }

    /** Encodes the event at the start of the reused buffer; returns the buffer so nothing is dead code. */
    @Benchmark
    public ByteBuf encode() {
        out.clear();
        SseEncoder.encode(event, out);
        return out;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        out.release();
    }
}
