package dev.ssecast.bench.load;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A server under test that misbehaves on purpose and keeps the ground truth of what it did. One event loop, so
 * everything below is confined to it. {@code POST /publish} refuses every 25th publish with 503 and accepts the
 * rest with the next id; {@code GET /events} streams them, chunked, to each connection by its rule: the first
 * connection to arrive is served faithfully, the second skips every event whose publisher sequence ends in 3,
 * the third holds back every event whose sequence ends in 5 and sends it after the next one.
 */
final class MisbehavingSseServer implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final List<Stream> streams = new ArrayList<>();
    private long nextId = 1;
    private long publishes;
    private long skipped;
    private long swapped;

    /** One stream and its rule; {@code held} is the frame held back by the swapping rule. */
    private static final class Stream {
        final Channel channel;
        final int rule;
        ByteBuf held;

        Stream(Channel channel, int rule) {
            this.channel = channel;
            this.rule = rule;
        }
    }

    MisbehavingSseServer() throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16), new Routes());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    URI streamUrl() {
        return URI.create("http://127.0.0.1:" + port() + "/events");
    }

    URI publishUrl() {
        return URI.create("http://127.0.0.1:" + port() + "/publish");
    }

    private int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Events the skipping rule dropped, plus any still held back by the swapping rule: true losses. */
    long lost() {
        return onLoop(() -> {
            long held = 0;
            for (Stream s : streams) {
                held += s.held == null ? 0 : 1;
            }
            return skipped + held;
        });
    }

    /** Held-back events sent after a later one: each arrives out of order once. */
    long swapped() {
        return onLoop(() -> swapped);
    }

    private <T> T onLoop(java.util.concurrent.Callable<T> read) {
        try {
            return group.next().submit(read).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private final class Routes extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (request.method().equals(HttpMethod.GET)) {
                ctx.pipeline().remove(HttpObjectAggregator.class);
                ctx.pipeline().remove(HttpServerCodec.class); // from here on the stream is written as raw bytes
                ctx.channel().writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Type: "
                        + "text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n", StandardCharsets.US_ASCII));
                streams.add(new Stream(ctx.channel(), streams.size()));
                ctx.channel().closeFuture().addListener(f -> release(ctx.channel()));
                return;
            }
            String body = request.content().toString(StandardCharsets.UTF_8);
            boolean refuse = publishes++ % 25 == 24;
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    refuse ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.ACCEPTED);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(response);
            if (!refuse) {
                broadcast(nextId++, body);
            }
        }
    }

    private void broadcast(long id, String data) {
        long seq = Long.parseLong(data.substring(data.indexOf(':') + 1, data.indexOf(',')));
        for (Stream s : streams) {
            if (s.rule == 1 && seq % 10 == 3) {
                skipped++;
                continue;
            }
            ByteBuf frame = frame(id, data);
            if (s.rule == 2 && seq % 10 == 5) {
                s.held = frame;
                continue;
            }
            s.channel.write(frame);
            if (s.held != null) {
                s.channel.write(s.held);
                s.held = null;
                swapped++;
            }
            s.channel.flush();
        }
    }

    private void release(Channel channel) {
        for (Stream s : streams) {
            if (s.channel == channel && s.held != null) {
                s.held.release();
                s.held = null;
            }
        }
    }

    private static ByteBuf frame(long id, String data) {
        String event = "id: " + id + "\ndata: " + data + "\n\n";
        int length = event.getBytes(StandardCharsets.UTF_8).length;
        return Unpooled.copiedBuffer(Integer.toHexString(length) + "\r\n" + event + "\r\n", StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        group.submit(() -> {
            for (Stream s : streams) {
                if (s.held != null) {
                    s.held.release();
                    s.held = null;
                }
                s.channel.close();
            }
        }).syncUninterruptibly();
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
