package dev.ssecast.bench.load;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

import java.util.List;

/**
 * One HTTP/2 connection of the load generator and the subscriber streams it carries, the last handler of the
 * connection's pipeline (after Netty's {@code Http2FrameCodec} and {@code Http2MultiplexHandler}). Confined to its
 * event loop: {@link #addStream} is called there, and streams asked for before the connection is ready (TCP, then
 * TLS with ALPN {@code h2}) wait as a count and open once it is. Each stream's {@link StreamAccount} joins
 * {@code accounts}, the list of this loop's accounts.
 */
final class H2ClientConnection extends ChannelInboundHandlerAdapter {
    /** Credit for the whole connection: far more than a tick of every stream, so the server never waits for it. */
    static final int CONNECTION_WINDOW = 64 << 20;
    /** Credit per stream (SETTINGS_INITIAL_WINDOW_SIZE). */
    static final int STREAM_WINDOW = 1 << 20;

    private final EventLoop loop;
    private final Tally tally;
    private final Http2Headers request;
    private final List<StreamAccount> accounts;
    private Channel channel;
    private boolean ready;
    private boolean failed;
    private int waiting;

    H2ClientConnection(EventLoop loop, Tally tally, Http2Headers request, List<StreamAccount> accounts) {
        this.loop = loop;
        this.tally = tally;
        this.request = request;
        this.accounts = accounts;
    }

    EventLoop loop() {
        return loop;
    }

    /** Opens one more stream once the connection is ready; counts it failed if the connection has failed. */
    void addStream() {
        if (failed) {
            tally.failed.incrementAndGet();
        } else if (ready) {
            openStream();
        } else {
            waiting++;
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls == null) {
            becomeReady(ctx);
        } else {
            tls.handshakeFuture().addListener((Future<Channel> f) -> {
                if (f.isSuccess() && ApplicationProtocolNames.HTTP_2.equals(tls.applicationProtocol())) {
                    becomeReady(ctx);
                } else {
                    ctx.close(); // no TLS, or the server did not choose h2: channelInactive fails the streams
                }
            });
        }
        ctx.fireChannelActive();
    }

    private void becomeReady(ChannelHandlerContext ctx) {
        ready = true;
        Http2Connection connection = ctx.pipeline().get(Http2FrameCodec.class).connection();
        int window = connection.local().flowController().windowSize(connection.connectionStream());
        if (window < CONNECTION_WINDOW) {
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - window));
        }
        for (; waiting > 0; waiting--) {
            openStream();
        }
    }

    private void openStream() {
        new Http2StreamChannelBootstrap(channel).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                StreamAccount account = new StreamAccount();
                accounts.add(account);
                stream.pipeline().addLast(new H2StreamReader(account, tally));
            }
        }).open().addListener((Future<Http2StreamChannel> f) -> {
            if (f.isSuccess()) {
                f.getNow().writeAndFlush(new DefaultHttp2HeadersFrame(request, true));
            } else {
                tally.failed.incrementAndGet();
            }
        });
    }

    /** Frames of the connection itself (SETTINGS, PING, GOAWAY) are Netty's business; released here. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        failed = true;
        ready = false;
        tally.failed.addAndGet(waiting);
        waiting = 0;
        ctx.fireChannelInactive();
    }

    /** A connection that failed to connect never becomes active; its waiting streams fail with it. */
    void connectFailed() {
        failed = true;
        tally.failed.addAndGet(waiting);
        waiting = 0;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
