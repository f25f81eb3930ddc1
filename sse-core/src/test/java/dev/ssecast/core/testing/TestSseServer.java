package dev.ssecast.core.testing;

import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * A real server on {@code 127.0.0.1}, an ephemeral port, epoll else NIO: {@code HttpServerCodec}, then an
 * {@link SseHandler} for {@code GET /events} with {@code Accept: text/event-stream}, then 404 for anything else.
 * The test owns the broadcaster; {@link #close()} closes the server's connections and event loops, not the
 * broadcaster.
 */
public final class TestSseServer implements AutoCloseable {
    /** The stream path; topics and {@code lastEventId} go in its query. */
    public static final String PATH = "/events";

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel server;

    private TestSseServer(Builder builder) {
        SseHandler sse = SseHandler.builder(builder.broadcaster)
                .matching(request -> HttpMethod.GET.equals(request.method())
                        && PATH.equals(new QueryStringDecoder(request.uri()).path())
                        && request.headers().containsValue(HttpHeaderNames.ACCEPT, "text/event-stream", true))
                .retry(builder.retry)
                .build();
        this.boss = SocketTransport.newGroup("sse-test-boss", 1);
        this.workers = SocketTransport.newGroup("sse-test-worker", builder.workerThreads);
        try {
            this.server = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(SocketTransport.serverSocketChannel(workers))
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), sse, NotFound.INSTANCE);
                        }
                    })
                    .bind("127.0.0.1", 0)
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            SocketTransport.shutDown(boss);
            SocketTransport.shutDown(workers);
            throw e;
        }
    }

    /** A server for the streams of {@code broadcaster}. */
    public static Builder builder(SseBroadcaster broadcaster) {
        return new Builder(broadcaster);
    }

    /** The port it listens on. */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Closes the listening socket and every connection, and waits for the event loops to end. */
    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        SocketTransport.shutDown(boss);
        SocketTransport.shutDown(workers);
    }

    /** Settings of a {@link TestSseServer}. */
    public static final class Builder {
        private final SseBroadcaster broadcaster;
        private Duration retry = Duration.ofSeconds(3);
        private int workerThreads = 2;

        private Builder(SseBroadcaster broadcaster) {
            this.broadcaster = Objects.requireNonNull(broadcaster, "broadcaster");
        }

        /** The {@code retry:} each stream starts with. Default 3s. */
        public Builder retry(Duration retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** Event loops serving connections. Default 2. */
        public Builder workerThreads(int threads) {
            this.workerThreads = threads;
            return this;
        }

        /** Binds and returns the running server. */
        public TestSseServer start() {
            return new TestSseServer(this);
        }
    }

    /** Answers what the stream handler passed on with 404 and closes; releases every message. */
    @ChannelHandler.Sharable
    private static final class NotFound extends ChannelInboundHandlerAdapter {
        static final NotFound INSTANCE = new NotFound();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest) {
                    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                            HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER);
                    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                    HttpUtil.setContentLength(response, 0);
                    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }
}
