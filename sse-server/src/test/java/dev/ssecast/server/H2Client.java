package dev.ssecast.server;

import dev.ssecast.core.SseDecoder;
import dev.ssecast.core.SseEvent;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An HTTP/2 client on Netty's codec, for tests: one connection (prior knowledge on a plain port, or ALPN {@code h2}
 * over TLS) carrying any number of streams, each recorded: status, headers, the events its DATA decodes to, how
 * it ended ({@code END_STREAM} or {@code RST_STREAM} and its code). Connection-level frames the server sends
 * (SETTINGS, GOAWAY) are queued too.
 */
final class H2Client implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final EventLoopGroup group;
    final Channel connection;
    /** SETTINGS and GOAWAY frames from the server, in order. */
    final BlockingQueue<Object> connectionFrames;
    /** Every stream opened, for {@link #close}. */
    private final java.util.Queue<Stream> opened = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private H2Client(EventLoopGroup group, Channel connection, BlockingQueue<Object> connectionFrames) {
        this.group = group;
        this.connection = connection;
        this.connectionFrames = connectionFrames;
    }

    /** Connects to {@code address}: with {@code tls} (whose ALPN must offer h2), else with prior knowledge. */
    static H2Client connect(InetSocketAddress address, SslContext tls) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        BlockingQueue<Object> frames = new LinkedBlockingQueue<>();
        Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), address.getHostString(),
                                    address.getPort()));
                        }
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        if (msg instanceof Http2SettingsFrame || msg instanceof Http2GoAwayFrame) {
                                            frames.add(msg instanceof Http2GoAwayFrame
                                                    ? ((Http2GoAwayFrame) msg).errorCode() : msg);
                                        }
                                        ReferenceCountUtil.release(msg);
                                    }
                                });
                    }
                })
                .connect(address).sync().channel();
        if (tls != null) {
            channel.pipeline().get(SslHandler.class).handshakeFuture().sync();
        }
        return new H2Client(group, channel, frames);
    }

    /**
     * Widens the connection's receive window by {@code increment} bytes, as browsers do (Chromium: to 15 MB), so
     * that one stream that does not read holds back only its own window, not every stream's.
     */
    void widenConnectionWindow(int increment) throws InterruptedException {
        connection.writeAndFlush(new DefaultHttp2WindowUpdateFrame(increment)).sync();
    }

    /** Opens {@code GET pathAndQuery} with {@code Accept: text/event-stream} and {@code headers} (name, value...). */
    Stream stream(String pathAndQuery, String... headers) throws InterruptedException {
        Http2Headers head = new DefaultHttp2Headers().method("GET").path(pathAndQuery).scheme("http")
                .authority("127.0.0.1").add("accept", "text/event-stream");
        for (int i = 0; i < headers.length; i += 2) {
            head.add(headers[i], headers[i + 1]);
        }
        return open(head, null, true);
    }

    /** Sends a request with {@code body} (none when null) and waits for the whole response. */
    Stream request(String method, String pathAndQuery, String body, String... headers) throws InterruptedException {
        Http2Headers head = new DefaultHttp2Headers().method(method).path(pathAndQuery).scheme("http")
                .authority("127.0.0.1");
        for (int i = 0; i < headers.length; i += 2) {
            head.add(headers[i], headers[i + 1]);
        }
        Stream stream = open(head, body, true);
        stream.awaitEnd();
        return stream;
    }

    /** Publishes {@code data} to {@code topic} over this connection and asserts the 202. */
    void publish(String topic, String data) throws InterruptedException {
        Stream answer = request("POST", "/events?topic=" + topic, data);
        assertThat(answer.status()).as("publish answer: %s", answer.text()).isEqualTo("202");
    }

    /** Opens a stream; with {@code autoRead} false it reads nothing, so its window closes once it is full. */
    Stream open(Http2Headers head, String body, boolean autoRead) throws InterruptedException {
        Stream stream = new Stream();
        Http2StreamChannel channel = new Http2StreamChannelBootstrap(connection).handler(stream).open().sync()
                .getNow();
        channel.config().setAutoRead(autoRead);
        stream.channel = channel;
        opened.add(stream);
        if (body == null) {
            channel.writeAndFlush(new DefaultHttp2HeadersFrame(head, true));
        } else {
            channel.write(new DefaultHttp2HeadersFrame(head, false));
            channel.writeAndFlush(new DefaultHttp2DataFrame(
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), true));
        }
        return stream;
    }

    /** The next GOAWAY's error code from the server, skipping SETTINGS. */
    long awaitGoAway() throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            Object frame = connectionFrames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            assertThat(frame).as("a GOAWAY within %s", TIMEOUT).isNotNull();
            if (frame instanceof Long) {
                return (Long) frame;
            }
        }
    }

    @Override
    public void close() {
        // A stream that stopped reading still holds the frames that came meanwhile, even once it has been reset:
        // reading them releases them.
        for (Stream stream : opened) {
            stream.channel.eventLoop().execute(() -> {
                stream.channel.config().setAutoRead(true);
                stream.channel.read();
            });
        }
        connection.eventLoop().submit(() -> { }).awaitUninterruptibly();
        connection.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** One stream's recording. Written on the connection's loop, read by the test. */
    static final class Stream extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Http2Headers> head = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final BlockingQueue<SseEvent> events = new LinkedBlockingQueue<>();
        private final CountDownLatch ended = new CountDownLatch(1);
        private final SseDecoder decoder = new SseDecoder(new SseDecoder.Listener() {
            @Override
            public void onEvent(SseEvent event) {
                events.add(event);
            }
        });
        private volatile boolean endStream;
        private volatile long resetCode = -1;
        volatile Http2StreamChannel channel;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame) {
                    Http2HeadersFrame frame = (Http2HeadersFrame) msg;
                    head.complete(frame.headers());
                    endStream |= frame.isEndStream();
                } else if (msg instanceof Http2DataFrame) {
                    Http2DataFrame frame = (Http2DataFrame) msg;
                    ByteBuf content = frame.content();
                    synchronized (text) {
                        text.append(content.toString(StandardCharsets.UTF_8));
                    }
                    decoder.decode(content.duplicate());
                    endStream |= frame.isEndStream();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        /** A reset comes as an event, not a read, so that it arrives even while the stream does not read. */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof Http2ResetFrame) {
                resetCode = ((Http2ResetFrame) event).errorCode();
            }
            ReferenceCountUtil.release(event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            head.complete(null);
            ended.countDown();
        }

        /** The response's {@code :status}, waiting for the head. */
        String status() throws InterruptedException {
            Http2Headers headers = headers();
            return headers == null ? null : headers.status().toString();
        }

        Http2Headers headers() throws InterruptedException {
            try {
                return head.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new AssertionError("no response head within " + TIMEOUT, e);
            }
        }

        /** Everything the DATA frames carried so far, as text. */
        String text() {
            synchronized (text) {
                return text.toString();
            }
        }

        /** The next event, within {@link #TIMEOUT}. */
        SseEvent awaitEvent() throws InterruptedException {
            SseEvent event = events.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(event).as("an event within %s; the stream carried: %s", TIMEOUT, text()).isNotNull();
            return event;
        }

        /** Waits until the text carried so far contains {@code part}. */
        void awaitText(String part) {
            org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> text().contains(part));
        }

        /** Waits for the stream to close (END_STREAM both ways, or a reset). */
        void awaitEnd() throws InterruptedException {
            assertThat(ended.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("the stream ends within %s; it carried: %s", TIMEOUT, text()).isTrue();
        }

        /** Whether the server ended the stream with {@code END_STREAM}. */
        boolean endedByServer() {
            return endStream;
        }

        /** The server's {@code RST_STREAM} code, or -1 for none. */
        long resetCode() {
            return resetCode;
        }

        /** No event queued now: everything read so far was consumed. */
        boolean noMoreEvents() {
            return events.isEmpty();
        }
    }
}
