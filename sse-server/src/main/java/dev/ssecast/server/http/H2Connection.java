package dev.ssecast.server.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Connection;
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
 * Checked once a second, on a timer of the connection's own.
 */
final class H2Connection extends ChannelInboundHandlerAdapter {
    static final String NAME = "h2-connection";
    static final int MAX_CONTROL_FRAMES_PER_SECOND = 100;
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
                .initialSettings(settings)
                .gracefulShutdownTimeoutMillis(CLOSE_WAIT_MILLIS)
                .build();
        pipeline.addAfter(after, "h2", codec)
                .addAfter("h2", "h2-streams", new Http2MultiplexHandler(http.streamInitializer()))
                .addAfter("h2-streams", NAME, new H2Connection(http, codec, flow));
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
            http.metrics().h2Closed("control-flood");
            goAwayAndClose(ctx, Http2Error.ENHANCE_YOUR_CALM);
        }
    }

    private void check(ChannelHandlerContext ctx) {
        if (closing) {
            return;
        }
        if (flow.queuedBytes() > http.maxConnectionQueuedBytes()) {
            http.metrics().h2Closed("queued");
            goAwayAndClose(ctx, Http2Error.ENHANCE_YOUR_CALM);
            return;
        }
        long now = System.nanoTime();
        if (codec.connection().numActiveStreams() > 0) {
            idleSinceNanos = now;
        } else if (now - idleSinceNanos >= http.requestTimeoutNanos()) {
            http.metrics().h2Closed("idle");
            goAwayAndClose(ctx, Http2Error.NO_ERROR);
        }
    }

    /**
     * The first GOAWAY of a drain: it names the largest stream id, so streams the client is opening now are still
     * served (and told to retry later); the client opens no more here. The last GOAWAY comes with the close.
     */
    void announceDrain(ChannelHandlerContext ctx) {
        if (!closing) {
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
            goAwayAndClose(ctx, Http2Error.NO_ERROR);
        }
    }

    private void goAwayAndClose(ChannelHandlerContext ctx, Http2Error error) {
        closing = true;
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(error));
        ctx.channel().close(); // resets open streams after CLOSE_WAIT_MILLIS
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
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
    }

    /** The handler's name, for {@link ChannelPipeline#get(String)}. */
    static H2Connection of(ChannelPipeline pipeline) {
        ChannelHandler handler = pipeline.get(NAME);
        return handler instanceof H2Connection ? (H2Connection) handler : null;
    }
}
