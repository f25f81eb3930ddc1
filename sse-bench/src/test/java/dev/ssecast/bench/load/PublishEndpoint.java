package dev.ssecast.bench.load;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
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
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The server's publish contract for a test's broadcaster: {@code POST /events?topic=T} with the data as body is
 * answered 202 with the id, or 503 when the broadcaster's queue is full.
 */
final class PublishEndpoint implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    PublishEndpoint(SseBroadcaster broadcaster) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                                        String topic = new QueryStringDecoder(request.uri()).parameters()
                                                .getOrDefault("topic", List.of("default")).get(0);
                                        PublishResult result = broadcaster.publish(topic,
                                                SseEvent.ofData(request.content().toString(StandardCharsets.UTF_8)));
                                        String id = "{\"id\":\"" + result.id() + "\"}";
                                        FullHttpResponse response = result.isAccepted()
                                                ? answer(HttpResponseStatus.ACCEPTED, id)
                                                : answer(HttpResponseStatus.SERVICE_UNAVAILABLE, "");
                                        ctx.writeAndFlush(response);
                                    }
                                });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    private static FullHttpResponse answer(HttpResponseStatus status, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        return response;
    }

    URI url(String topic) {
        return URI.create("http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort()
                + "/events?topic=" + topic);
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
