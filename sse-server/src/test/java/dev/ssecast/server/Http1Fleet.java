package dev.ssecast.server;

import dev.ssecast.core.SseDecoder;
import dev.ssecast.core.SseEvent;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hundreds of HTTP/1.1 event streams, each on a connection of its own, on one Netty event loop: a cheap crowd of
 * clients for a proxy to fan in. Each stream records its status, its {@code X-Upstream}, the events its chunked
 * body decodes to, and its end. Stopped by {@link #close}.
 */
final class Http1Fleet implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final EventLoopGroup group;
    private final List<Stream> streams;

    private Http1Fleet(EventLoopGroup group, List<Stream> streams) {
        this.group = group;
        this.streams = streams;
    }

    /** Opens {@code count} connections to {@code address}, each sending {@code GET pathAndQuery}. */
    static Http1Fleet open(InetSocketAddress address, String pathAndQuery, int count) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        List<Stream> streams = new ArrayList<>();
        List<ChannelFuture> connects = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Stream stream = new Stream();
            streams.add(stream);
            connects.add(new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), stream);
                        }
                    })
                    .connect(address));
        }
        for (ChannelFuture connect : connects) {
            Channel channel = connect.sync().channel();
            DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                    pathAndQuery);
            request.headers().set(HttpHeaderNames.HOST, address.getHostString() + ":" + address.getPort())
                    .set(HttpHeaderNames.ACCEPT, "text/event-stream");
            channel.writeAndFlush(request);
        }
        return new Http1Fleet(group, streams);
    }

    List<Stream> streams() {
        return streams;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** One connection's stream. Written on the fleet's loop, read by the test. */
    static final class Stream extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<HttpResponse> head = new CompletableFuture<>();
        private final BlockingQueue<SseEvent> events = new LinkedBlockingQueue<>();
        private final CountDownLatch ended = new CountDownLatch(1);
        private final SseDecoder decoder = new SseDecoder(new SseDecoder.Listener() {
            @Override
            public void onEvent(SseEvent event) {
                events.add(event);
            }
        });

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse) {
                    head.complete((HttpResponse) msg);
                }
                if (msg instanceof HttpContent) {
                    decoder.decode(((HttpContent) msg).content());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            head.complete(null);
            ended.countDown();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        /** The response head, waiting for it; null if the connection closed first. */
        HttpResponse response() throws InterruptedException {
            try {
                return head.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new AssertionError("no response head within " + TIMEOUT, e);
            }
        }

        /** The next {@code count} events, each within {@link #TIMEOUT}. */
        List<SseEvent> awaitEvents(int count) throws InterruptedException {
            List<SseEvent> got = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                SseEvent event = events.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(event).as("event %d of %d within %s (got %s)", i + 1, count, TIMEOUT, got).isNotNull();
                got.add(event);
            }
            return got;
        }

        /** No event queued now beyond those awaited. */
        boolean noMoreEvents() {
            return events.isEmpty();
        }

        boolean isOpen() {
            return ended.getCount() == 1;
        }
    }
}
