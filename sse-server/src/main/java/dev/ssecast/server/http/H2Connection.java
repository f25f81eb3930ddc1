package dev.ssecast.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 connection: {@code [proxy-protocol → proxy-source] → [tls] → h2 (Http2FrameCodec) → h2-streams
 * (Http2MultiplexHandler: each stream a child channel with {@code http → request-deadline → router → sse}, as an
 * HTTP/1.1 connection has) → h2-connection (this)}. Single thread: the connection's event loop.
 *
 * <p>What this handler adds to Netty's own defences (rapid reset, provoked resets, CONTINUATION floods, queued
 * control frames, the header list size, {@code SETTINGS_MAX_CONCURRENT_STREAMS}):
 * <ul>
 *   <li>a rate of {@code PING} and {@code SETTINGS} frames, {@value #MAX_CONTROL_FRAMES_PER_SECOND} a second:
 *       past it, {@code GOAWAY(ENHANCE_YOUR_CALM)} and the connection closes. Netty bounds only the ACKs a
 *       client that never reads leaves queued;</li>
 *   <li>a bound on the bytes waiting in the connection's flow controller, summed over its streams (each stream
 *       has its own, as on HTTP/1.1): past it, {@code GOAWAY(ENHANCE_YOUR_CALM)} and close; every client
 *       resumes;</li>
 *   <li>a connection with no stream open for {@code --request-timeout} gets {@code GOAWAY(NO_ERROR)} and
 *       closes, as an idle HTTP/1.1 connection does.</li>
 * </ul>
 * Checked once a second, on a timer of the connection's own. It also sets Netty's rapid-reset bound for a
 * multiplexing balancer ({@link #RESETS_PER_WINDOW}), sizes the connection's write buffer for its streams, and
 * counts the first GOAWAY the server sends on the connection, by reason, in
 * {@code ssecast_http2_connections_closed_total}.
 */
final class H2Connection extends ChannelInboundHandlerAdapter {
    static final String NAME = "h2-connection";
    static final int MAX_CONTROL_FRAMES_PER_SECOND = 100;
    /**
     * Netty's rapid-reset bound is 200 RST_STREAM frames from the client in 30 s. A balancer that multiplexes a
     * thousand clients onto one connection resets a stream each time one of them leaves, so a connection may
     * reset as many streams as it may hold open ({@code --max-streams-per-connection}, at least this many) every
     * {@value #RESET_WINDOW_SECONDS} s; past that, {@code GOAWAY(ENHANCE_YOUR_CALM)}.
     */
    static final int RESETS_PER_WINDOW = 200;
    static final int RESET_WINDOW_SECONDS = 10;
    /** How long a closing connection waits for its streams after the last GOAWAY before it is closed anyway. */
    static final long CLOSE_WAIT_MILLIS = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(H2Connection.class);

    private final HttpInitializer http;
    private final Http2FrameCodec codec;
    private final H2FlowController flow;
    private ScheduledFuture<?> check;
    private long windowStartNanos;
    private int controlFrames;
    private long idleSinceNanos;
    private boolean closing;
    /** Why this handler is sending a GOAWAY, for the one count a connection gets; null when Netty sends it. */
    private String goAwayReason;
    private boolean counted;

    private H2Connection(HttpInitializer http, Http2FrameCodec codec, H2FlowController flow) {
        this.http = http;
        this.codec = codec;
        this.flow = flow;
    }

    /**
     * Makes {@code pipeline} an HTTP/2 connection: adds the codec, the stream multiplexer and this guard after
     * {@code after}. The connection preface may already wait in the handler after which they are added.
     */
    static void install(ChannelPipeline pipeline, String after, HttpInitializer http) {
        Http2Connection connection = new DefaultHttp2Connection(true);
        H2FlowController flow = new H2FlowController(connection);
        connection.remote().flowController(flow);
        Http2Settings settings = Http2Settings.defaultSettings()
                .maxConcurrentStreams(http.maxStreamsPerConnection())
                .maxHeaderListSize(HttpInitializer.MAX_HEADER_BYTES);
        Http2FrameCodec codec = new CodecBuilder(connection)
                .resetsPerWindow(Math.max(RESETS_PER_WINDOW, http.maxStreamsPerConnection()), RESET_WINDOW_SECONDS)
                .initialSettings(settings)
                .gracefulShutdownTimeoutMillis(CLOSE_WAIT_MILLIS)
                .build();
        // A tick writes about 100 bytes to each of up to --max-streams-per-connection streams: with Netty's 64 KiB
        // high water mark every tick would make the connection unwritable, and its flow controller would then
        // visit every stream twice (docs/benchmarks.md §15: 15-35% of the loops' CPU per delivery).
        int high = (int) Math.min(16 << 20, Math.max(64 << 10, 1024L * http.maxStreamsPerConnection()));
        pipeline.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
        H2Connection guard = new H2Connection(http, codec, flow);
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
                guard.countGoAway(errorCode);
            }
        });
        pipeline.addAfter(after, "h2", codec)
                .addAfter("h2", "h2-streams", new Http2MultiplexHandler(http.streamInitializer()))
                .addAfter("h2-streams", NAME, guard);
    }

    /**
     * Counts the first GOAWAY this server sends on the connection, by why: this handler's reason, else
     * {@code drain} (NO_ERROR: a drain or Netty's close), {@code flood} (ENHANCE_YOUR_CALM: one of Netty's
     * defences, rapid reset, provoked resets, CONTINUATION floods, queued control frames) or
     * {@code protocol-error} (any other code: a client that broke the protocol).
     */
    private void countGoAway(long errorCode) {
        if (counted) {
            return;
        }
        counted = true;
        String reason = goAwayReason != null ? goAwayReason
                : errorCode == Http2Error.NO_ERROR.code() ? "drain"
                : errorCode == Http2Error.ENHANCE_YOUR_CALM.code() ? "flood"
                : "protocol-error";
        http.metrics().h2Closed(reason);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        windowStartNanos = System.nanoTime();
        idleSinceNanos = windowStartNanos;
        check = ctx.executor().scheduleAtFixedRate(() -> check(ctx), 1, 1, TimeUnit.SECONDS);
        http.h2Opened(ctx.channel());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        check.cancel(false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        check.cancel(false);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        boolean control = msg instanceof Http2SettingsFrame || msg instanceof Http2PingFrame
                && !((Http2PingFrame) msg).ack();
        ReferenceCountUtil.release(msg); // connection-level frames; Netty has acted on them already
        if (!control || closing) {
            return;
        }
        long now = System.nanoTime();
        if (now - windowStartNanos >= TimeUnit.SECONDS.toNanos(1)) {
            windowStartNanos = now;
            controlFrames = 0;
        }
        if (++controlFrames > MAX_CONTROL_FRAMES_PER_SECOND) {
            goAwayAndClose(ctx, Http2Error.ENHANCE_YOUR_CALM, "control-flood");
        }
    }

    private void check(ChannelHandlerContext ctx) {
        if (closing) {
            return;
        }
        if (flow.queuedBytes() > http.maxConnectionQueuedBytes()) {
            goAwayAndClose(ctx, Http2Error.ENHANCE_YOUR_CALM, "queued");
            return;
        }
        long now = System.nanoTime();
        if (codec.connection().numActiveStreams() > 0) {
            idleSinceNanos = now;
        } else if (now - idleSinceNanos >= http.requestTimeoutNanos()) {
            goAwayAndClose(ctx, Http2Error.NO_ERROR, "idle");
        }
    }

    /**
     * The first GOAWAY of a drain: it names the largest stream id, so streams the client is opening now are still
     * served (and told to retry later); the client opens no more here. The last GOAWAY comes with the close.
     */
    void announceDrain(ChannelHandlerContext ctx) {
        if (!closing) {
            goAwayReason = "drain";
            ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(Integer.MAX_VALUE));
        }
    }

    /**
     * The last GOAWAY of a drain, naming the last stream the client opened, then the close: the codec waits up to
     * {@value #CLOSE_WAIT_MILLIS} ms for open streams before it resets them. Netty's own close sends no second
     * GOAWAY once one was sent.
     */
    void closeGracefully(ChannelHandlerContext ctx) {
        if (!closing) {
            goAwayAndClose(ctx, Http2Error.NO_ERROR, "drain");
        }
    }

    private void goAwayAndClose(ChannelHandlerContext ctx, Http2Error error, String reason) {
        closing = true;
        if (goAwayReason == null) {
            goAwayReason = reason;
        }
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(error));
        ctx.channel().close(); // resets open streams after CLOSE_WAIT_MILLIS
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            // The codec shows us a connection error before it acts on it: it sends the GOAWAY with the error's
            // code and closes. Closing here would send a GOAWAY(NO_ERROR) first and hide why.
            LOG.debug("HTTP/2 connection {}: {}", ctx.channel(), cause.getMessage());
            return;
        }
        if (cause instanceof IOException) {
            LOG.debug("HTTP/2 connection {} failed; closing", ctx.channel(), cause);
        } else {
            LOG.warn("HTTP/2 connection {} failed; closing", ctx.channel(), cause);
        }
        ctx.close();
    }

    /** The codec built on a connection of ours, whose remote flow controller counts what it queues. */
    private static final class CodecBuilder extends Http2FrameCodecBuilder {
        CodecBuilder(Http2Connection connection) {
            connection(connection);
        }

        CodecBuilder resetsPerWindow(int resets, int seconds) {
            decoderEnforceMaxRstFramesPerWindow(resets, seconds);
            return this;
        }
    }

    /** The handler's name, for {@link ChannelPipeline#get(String)}. */
    static H2Connection of(ChannelPipeline pipeline) {
        ChannelHandler handler = pipeline.get(NAME);
        return handler instanceof H2Connection ? (H2Connection) handler : null;
    }
}
