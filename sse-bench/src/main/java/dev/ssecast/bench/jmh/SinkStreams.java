package dev.ssecast.bench.jmh;

import dev.ssecast.core.SseHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Server-side {@link SinkChannel}s spread evenly over the event loops of one group: real channels with real
 * pipelines and outbound buffers whose transport accepts every flushed byte, so the server's side of a fan-out is
 * measured without a peer's read path. The wiring is {@link LocalPairs}' with a listener of sink channels, so each
 * sink's peer never receives anything. Over HTTP/1.1 ({@link #subscribed}) each sink is one stream; over HTTP/2
 * ({@link #subscribedH2}) each sink is a connection and its streams are its child channels.
 *
 * <p>Not thread-safe: build, use and {@link #close()} from one thread.
 */
final class SinkStreams implements AutoCloseable {
    private static final byte[] REQUEST = ("GET /events?topic=" + BenchFrames.TOPIC + " HTTP/1.1\r\nHost: bench\r\n"
            + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    private final List<SinkCount> counts = new ArrayList<>();
    private final LocalPairs pairs;
    private final List<List<Channel>> byLoop = new ArrayList<>();
    /** HTTP/2 only, else null. */
    private H2Windows h2;
    private List<Channel> streams;

    /**
     * {@code count} sinks over {@code threads} loops, gathering each flush as {@code gather} says, each with the
     * pipeline {@code sinkInit} builds; the caller then lists the streams ({@link #listStreams}).
     */
    private SinkStreams(int count, int threads, Consumer<Channel> sinkInit, SinkChannel.Gather gather)
            throws InterruptedException {
        for (int t = 0; t < threads; t++) {
            counts.add(new SinkCount(gather));
        }
        pairs = new LocalPairs(count, threads, sinkInit, loop -> new SinkServerChannel(counts.get(loop)));
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
        sinks.listStreams(sinks.pairs.streams());
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

    /**
     * {@code count} HTTP/2 streams of {@code ticks}' broadcaster on {@code count / perConnection} connections
     * (rounded up; the last may carry fewer), each connection a sink whose pipeline is {@code Http2FrameCodec}
     * (server, {@code SETTINGS_MAX_CONCURRENT_STREAMS} = {@code perConnection}) + {@code Http2MultiplexHandler},
     * each stream's {@code Http2StreamFrameToHttpObjectCodec(true)} + {@link SseHandler}, as in the server. Opened
     * by the client bytes of {@link H2ClientFrames} fired into each connection on its loop, then admitted by one
     * tick, so that every stream is open when this returns. Each connection's write buffer has
     * {@code connectionWaterMark} (Netty's default: {@link WriteBufferWaterMark#DEFAULT}). The caller closes the
     * streams, then {@code ticks}.
     *
     * @throws IllegalStateException if not every stream was admitted
     */
    static SinkStreams subscribedH2(int count, int perConnection, int threads, ManualTicks ticks,
                                    long timeoutSeconds, SinkChannel.Gather gather,
                                    WriteBufferWaterMark connectionWaterMark, boolean uniformDistributor)
            throws InterruptedException, TimeoutException {
        if (perConnection < 1 || count < 1) {
            throw new IllegalArgumentException("streams and streams per connection must be at least 1, were " + count
                    + " and " + perConnection);
        }
        SseHandler sse = SseHandler.builder(ticks.broadcaster()).build();
        Queue<Channel> opened = new ConcurrentLinkedQueue<>();
        ChannelInitializer<Http2StreamChannel> streamInit = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), sse);
                opened.add(stream);
            }
        };
        Http2Settings settings = Http2Settings.defaultSettings().maxConcurrentStreams(perConnection);
        int connections = (count + perConnection - 1) / perConnection;
        SinkStreams sinks = new SinkStreams(connections, threads, ch -> {
            // A socket channel's allocator, not the in-VM transport's heap-preferring one: the frame writer's
            // headers come from it, and a socket is handed direct buffers (epoll copies a heap one first).
            ch.config().setAllocator(ByteBufAllocator.DEFAULT).setWriteBufferWaterMark(connectionWaterMark);
            ch.pipeline().addLast(new CodecBuilder(uniformDistributor).initialSettings(settings).build(),
                    new Http2MultiplexHandler(streamInit));
        }, gather);
        sinks.h2 = new H2Windows(sinks.pairs.streams(), perConnection);
        try {
            List<Channel> conns = sinks.pairs.streams();
            for (int c = 0; c < conns.size(); c++) {
                Channel connection = conns.get(c);
                ByteBuf opening = new H2ClientFrames(Math.min(perConnection, count - c * perConnection)).opening();
                connection.eventLoop().execute(() -> {
                    connection.pipeline().fireChannelRead(opening);
                    connection.pipeline().fireChannelReadComplete();
                });
            }
            LoopBarrier barrier = new LoopBarrier(sinks.loops());
            barrier.await(timeoutSeconds, TimeUnit.SECONDS); // every request answered and its stream queued
            if (opened.size() != count) {
                throw new IllegalStateException("HTTP/2 streams opened " + opened.size() + " of " + count);
            }
            sinks.listStreams(new ArrayList<>(opened));
            ticks.tick(); // admits them
            barrier.await(timeoutSeconds, TimeUnit.SECONDS); // every stream registered, its flush requested
            barrier.await(timeoutSeconds, TimeUnit.SECONDS); // every connection flushed
            if (ticks.broadcaster().openStreams() != count) {
                throw new IllegalStateException("open streams " + ticks.broadcaster().openStreams() + " of " + count);
            }
            return sinks;
        } catch (TimeoutException | RuntimeException e) {
            sinks.close();
            throw e;
        }
    }

    private void listStreams(List<Channel> all) {
        streams = all;
        for (EventLoop loop : pairs.loops()) {
            List<Channel> own = new ArrayList<>();
            for (Channel stream : all) {
                if (stream.eventLoop() == loop) {
                    own.add(stream);
                }
            }
            byLoop.add(own);
        }
    }

    /** The channels a broadcaster writes to: the sinks themselves over HTTP/1.1, their child channels over h2. */
    List<Channel> streams() {
        return streams;
    }

    /** Whether the streams are HTTP/2 streams, whose flushes the connection runs as a task of its own. */
    boolean h2() {
        return h2 != null;
    }

    /**
     * HTTP/2 only: the flow-control windows this harness keeps open; see {@link H2Windows}. Null over HTTP/1.1.
     */
    H2Windows windows() {
        return h2;
    }

    /** The event loops. */
    List<EventLoop> loops() {
        return pairs.loops();
    }

    /** The streams of {@code loops().get(i)}. */
    List<Channel> streamsOf(int loop) {
        return byLoop.get(loop);
    }

    /**
     * Bytes written to the sinks and not yet flushed to their "socket", summed over every sink's outbound buffer
     * (0 once every flush has run); readable from any thread.
     */
    long unflushedBytes() {
        long total = 0;
        for (Channel sink : pairs.streams()) {
            ChannelOutboundBuffer out = sink.unsafe().outboundBuffer();
            total += out == null ? 0 : out.totalPendingWriteBytes();
        }
        return total;
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

    /** A server codec whose remote flow controller shares bytes with Netty's weighted-fair or uniform distributor. */
    private static final class CodecBuilder extends Http2FrameCodecBuilder {
        CodecBuilder(boolean uniform) {
            if (!uniform) {
                server(true);
            } else { // a connection of its own, which says it is a server's
                io.netty.handler.codec.http2.Http2Connection connection =
                        new io.netty.handler.codec.http2.DefaultHttp2Connection(true);
                connection.remote().flowController(new io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController(
                        connection, new io.netty.handler.codec.http2.UniformStreamByteDistributor(connection)));
                connection(connection);
            }
        }
    }
}
