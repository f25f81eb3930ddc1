package dev.ssecast.core.it;

import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.SseHandler;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A tick's event to 100 HTTP/2 streams of one connection is one flush of that connection, not 100: each stream's
 * flush becomes a request for one connection flush after the loop's task ({@code H2StreamSink}).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class Http2OneFlushPerTickIT {
    private static final int STREAMS = 100;

    @Test
    void oneEventToAHundredStreamsIsOneFlushOfTheirConnection() throws Exception {
        EventLoopGroup server = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup client = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        AtomicInteger flushes = new AtomicInteger();
        AtomicInteger events = new AtomicInteger();
        try (SseBroadcaster broadcaster = SseBroadcaster.builder().heartbeat(Duration.ofHours(1)).build()) {
            SseHandler sse = SseHandler.builder(broadcaster).build();
            Channel listener = new ServerBootstrap().group(server).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
                                @Override
                                public void flush(ChannelHandlerContext ctx) {
                                    flushes.incrementAndGet(); // every flush that reaches the socket
                                    ctx.flush();
                                }
                            }, Http2FrameCodecBuilder.forServer().initialSettings(
                                    Http2Settings.defaultSettings().maxConcurrentStreams(STREAMS)).build(),
                                    new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                        @Override
                                        protected void initChannel(Http2StreamChannel stream) {
                                            stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                                                    sse);
                                        }
                                    }));
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
            Channel connection = new Bootstrap().group(client).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                    new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                        }
                    })
                    .connect(listener.localAddress()).sync().channel();
            for (int i = 0; i < STREAMS; i++) {
                Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
                        .handler(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof Http2DataFrame && ((Http2DataFrame) msg).content()
                                        .toString(StandardCharsets.UTF_8).contains("data: tick")) {
                                    events.incrementAndGet();
                                }
                                ReferenceCountUtil.release(msg);
                            }
                        }).open().sync().getNow();
                stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET")
                        .path("/events").scheme("http").authority("127.0.0.1").add("accept", "text/event-stream"),
                        true));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> broadcaster.openStreams() == STREAMS);
            // settled: every head and retry line written, no frame of the client's left to answer
            int before = settledFlushes(flushes, server);

            broadcaster.publish("default", SseEvent.ofData("tick"));
            await().atMost(Duration.ofSeconds(10)).until(() -> events.get() == STREAMS);
            assertThat(settledFlushes(flushes, server) - before).as("flushes of the connection for one tick")
                    .isEqualTo(1);
            connection.close().sync();
            listener.close().sync();
        } finally {
            client.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
            server.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    /** The flush count once the server's loop has run every task queued before now. */
    private static int settledFlushes(AtomicInteger flushes, EventLoopGroup server) throws Exception {
        server.next().submit(() -> { }).sync();
        return flushes.get();
    }
}
