package dev.ssecast.core.example;

import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.SseHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** ClockServer over HTTP/2 with prior knowledge; try {@code curl -N --http2-prior-knowledge localhost:8080/events}. */
public final class Http2ClockServer {
    public static void main(String[] args) throws InterruptedException {
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        try (SseBroadcaster broadcaster = SseBroadcaster.builder().build()) {
            start(loops, broadcaster, 8080).closeFuture().sync();
        } finally {
            loops.shutdownGracefully();
        }
    }

    static Channel start(EventLoopGroup loops, SseBroadcaster broadcaster, int port) throws InterruptedException {
        loops.scheduleAtFixedRate(() -> broadcaster.publish("default", SseEvent.ofData(Instant.now().toString())),
                1, 1, TimeUnit.SECONDS);
        SseHandler events = SseHandler.builder(broadcaster)
                .matching(request -> request.uri().startsWith("/events"))
                .build();
        // Each HTTP/2 stream is a child channel with a pipeline of its own: HTTP objects in and out, then the
        // same SseHandler an HTTP/1.1 pipeline has. Flow control and the connection's flushes are Netty's and
        // the handler's business.
        ChannelInitializer<Http2StreamChannel> perStream = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), events,
                        new SimpleChannelInboundHandler<HttpRequest>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, HttpRequest request) {
                                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                        HttpResponseStatus.NOT_FOUND));
                            }
                        });
            }
        };
        return new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                new Http2MultiplexHandler(perStream));
                    }
                })
                .bind(port).sync().channel();
    }
}
