package dev.ssecast.bench.jmh;

import dev.ssecast.core.SseHandler;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpServerCodec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * {@code count} server-side {@link SinkChannel}s spread evenly over the event loops of one group: real channels with
 * real pipelines and outbound buffers whose transport accepts every flushed byte, so the server's side of a fan-out
 * is measured without a peer's read path. The wiring is {@link LocalPairs}' with a listener of sink channels, so
 * each stream's peer never receives anything; the pipeline {@code streamInit} builds is the stream's.
 *
 * <p>Not thread-safe: build, use and {@link #close()} from one thread.
 */
final class SinkStreams implements AutoCloseable {
    private static final byte[] REQUEST = ("GET /events?topic=" + BenchFrames.TOPIC + " HTTP/1.1\r\nHost: bench\r\n"
            + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    private final List<SinkCount> counts = new ArrayList<>();
    private final LocalPairs pairs;
    private final List<List<Channel>> byLoop = new ArrayList<>();

    /** {@code count} sinks over {@code threads} loops, gathering each flush as {@code gather} says. */
    SinkStreams(int count, int threads, Consumer<Channel> streamInit, SinkChannel.Gather gather)
            throws InterruptedException {
        for (int t = 0; t < threads; t++) {
            counts.add(new SinkCount(gather));
        }
        pairs = new LocalPairs(count, threads, streamInit, loop -> new SinkServerChannel(counts.get(loop)));
        for (EventLoop loop : pairs.loops()) {
            List<Channel> own = new ArrayList<>();
            for (Channel stream : pairs.streams()) {
                if (stream.eventLoop() == loop) {
                    own.add(stream);
                }
            }
            byLoop.add(own);
        }
    }

    /**
     * {@code count} streams of {@code ticks}' broadcaster: each upgraded by {@code GET /events?topic=bench} fired
     * into its {@code HttpServerCodec} + {@link SseHandler} pipeline on its loop, then admitted by one tick, so
     * that every stream is open when this returns; the sinks gather each flush as {@code gather} says. The caller
     * closes the streams, then {@code ticks}.
     *
     * @throws IllegalStateException if not every stream was admitted
     */
    static SinkStreams subscribed(int count, int threads, ManualTicks ticks, long timeoutSeconds,
                                  SinkChannel.Gather gather) throws InterruptedException, TimeoutException {
        SseHandler sse = SseHandler.builder(ticks.broadcaster()).build();
        SinkStreams sinks = new SinkStreams(count, threads, ch -> ch.pipeline().addLast(new HttpServerCodec(), sse),
                gather);
        try {
            LoopBarrier barrier = new LoopBarrier(sinks.loops());
            for (Channel stream : sinks.streams()) {
                stream.eventLoop().execute(() -> stream.pipeline().fireChannelRead(Unpooled.wrappedBuffer(REQUEST)));
            }
            barrier.await(timeoutSeconds, TimeUnit.SECONDS); // every request answered and its stream queued
            ticks.tick(); // admits them
            barrier.await(timeoutSeconds, TimeUnit.SECONDS); // every stream registered
            if (ticks.broadcaster().openStreams() != count) {
                throw new IllegalStateException("open streams " + ticks.broadcaster().openStreams() + " of " + count);
            }
            return sinks;
        } catch (TimeoutException | RuntimeException e) {
            sinks.close();
            throw e;
        }
    }

    /** The server ends, the channels a broadcaster writes to. */
    List<Channel> streams() {
        return pairs.streams();
    }

    /** The event loops. */
    List<EventLoop> loops() {
        return pairs.loops();
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
        pairs.close();
    }
}
