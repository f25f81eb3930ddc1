package dev.ssecast.core.example;

import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.SseHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** Streams the time to every client of GET /events; try {@code curl -N localhost:8080/events}. */
public final class ClockServer {
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
        return new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), events,
                                new SimpleChannelInboundHandler<HttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, HttpRequest request) {
                                        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                HttpResponseStatus.NOT_FOUND))
                                                .addListener(ChannelFutureListener.CLOSE);
                                    }
                                });
                    }
                })
                .bind(port).sync().channel();
    }
}
