package dev.ssecast.core.testing;

import dev.ssecast.core.SseDecoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A minimal SSE client for socket tests: one {@code GET} with {@code Accept: text/event-stream} (and
 * {@code Last-Event-ID} when given) over {@link HttpClientCodec}; the response head must be a chunked 200
 * {@code text/event-stream}, and each body chunk's bytes go through an {@link SseDecoder} into an
 * {@link EventRecorder}. It never reconnects: a test reconnects by connecting a new client.
 *
 * <p>Channels run on a group the caller owns, so a thousand clients share a few event loops. Buffers: the codec's
 * messages are released by this client as soon as their bytes are decoded.
 */
public final class SseTestClient implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final Channel channel;
    private final EventRecorder recorder;
    private final CompletableFuture<HttpResponse> opened;
    private final CompletableFuture<Void> closedByServer;
    private final AtomicBoolean closing;

    private SseTestClient(Channel channel, EventRecorder recorder, CompletableFuture<HttpResponse> opened,
                          CompletableFuture<Void> closedByServer, AtomicBoolean closing) {
        this.channel = channel;
        this.recorder = recorder;
        this.opened = opened;
        this.closedByServer = closedByServer;
        this.closing = closing;
    }

    /** A client of {@code 127.0.0.1:port}, path {@code /events}, on {@code group}. */
    public static Builder builder(EventLoopGroup group, int port) {
        return new Builder(group, port);
    }

    /** Where this stream's events, comments and retry go. */
    public EventRecorder recorder() {
        return recorder;
    }

    /** Waits up to {@code timeout} for the checked response head (status and headers, no content). */
    public HttpResponse awaitOpen(Duration timeout) {
        return await(opened, timeout, "the response head");
    }

    /**
     * Completes when the server ended the stream (the connection closed without {@link #close()}), or completes
     * exceptionally when this client closed it first. A client that {@linkplain #stopReading() stopped reading}
     * sees the server's close only once it reads again, behind the bytes already in its socket.
     */
    public CompletableFuture<Void> closedByServer() {
        return closedByServer;
    }

    /** Waits up to {@code timeout} until the server ended the stream; fails if the client closed it. */
    public void awaitClosedByServer(Duration timeout) {
        await(closedByServer, timeout, "the server to close the stream");
    }

    /**
     * Stops reading from the socket (auto-read off), so that the server's writes pile up like a slow consumer's;
     * bytes already read are still decoded. Returns once the event loop has applied it.
     */
    public void stopReading() {
        channel.eventLoop().submit(() -> channel.config().setAutoRead(false)).syncUninterruptibly();
    }

    /** Reads again after {@link #stopReading()}. */
    public void resumeReading() {
        channel.config().setAutoRead(true);
    }

    /** Whether the connection is still open. */
    public boolean isActive() {
        return channel.isActive();
    }

    /**
     * Closes the connection and waits for it; once this returns the recorder gets no more events, so its
     * {@linkplain EventRecorder#lastEventId() last event id} is the one to resume with.
     */
    @Override
    public void close() {
        closing.set(true);
        channel.close().awaitUninterruptibly(CONNECT_TIMEOUT.toMillis());
    }

    private static <T> T await(CompletableFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("failed awaiting " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("timed out after " + timeout.toMillis() + "ms awaiting " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted awaiting " + what, e);
        }
    }

    /** Where and how to connect; {@link #connect()} opens the stream. */
    public static final class Builder {
        private final EventLoopGroup group;
        private final int port;
        private String host = "127.0.0.1";
        private String path = "/events";
        private String lastEventId;
        private EventRecorder recorder = new EventRecorder();
        private int receiveBufferSize;

        private Builder(EventLoopGroup group, int port) {
            this.group = Objects.requireNonNull(group, "group");
            this.port = port;
        }

        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Request target, query included, for example {@code /events?topic=a&topic=b}. Default {@code /events}. */
        public Builder path(String path) {
            this.path = Objects.requireNonNull(path, "path");
            return this;
        }

        /** The {@code Last-Event-ID} header to send, or null (the default) for none. */
        public Builder lastEventId(String lastEventId) {
            this.lastEventId = lastEventId;
            return this;
        }

        /** Where to record the stream; default a new recorder. */
        public Builder recorder(EventRecorder recorder) {
            this.recorder = Objects.requireNonNull(recorder, "recorder");
            return this;
        }

        /** The socket's {@code SO_RCVBUF} in bytes (small: a stalled reader backs up sooner); 0, the default: OS's. */
        public Builder receiveBufferSize(int bytes) {
            this.receiveBufferSize = bytes;
            return this;
        }

        /** Connects and sends the request; returns once connected (the head arrives later: {@link #awaitOpen}). */
        public SseTestClient connect() {
            CompletableFuture<HttpResponse> opened = new CompletableFuture<>();
            CompletableFuture<Void> closedByServer = new CompletableFuture<>();
            AtomicBoolean closing = new AtomicBoolean();
            EventRecorder sink = recorder;
            HttpHeaders headers = new DefaultHttpHeaders()
                    .set(HttpHeaderNames.HOST, host + ":" + port)
                    .set(HttpHeaderNames.ACCEPT, "text/event-stream")
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
            if (lastEventId != null) {
                headers.set("Last-Event-ID", lastEventId);
            }
            Bootstrap bootstrap = new Bootstrap()
                    .group(group)
                    .channel(SocketTransport.socketChannel(group))
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(),
                                    new StreamReader(path, headers, sink, opened, closedByServer, closing));
                        }
                    });
            if (receiveBufferSize > 0) {
                bootstrap.option(ChannelOption.SO_RCVBUF, receiveBufferSize);
            }
            ChannelFuture connect = bootstrap.connect(host, port);
            if (!connect.awaitUninterruptibly(CONNECT_TIMEOUT.toMillis())) {
                connect.channel().close();
                throw new AssertionError("no connection to " + host + ":" + port + " within " + CONNECT_TIMEOUT);
            }
            if (!connect.isSuccess()) {
                throw new AssertionError("cannot connect to " + host + ":" + port, connect.cause());
            }
            return new SseTestClient(connect.channel(), sink, opened, closedByServer, closing);
        }
    }

    /** Checks the head, decodes the body into the recorder; confined to the channel's event loop. */
    private static final class StreamReader extends SimpleChannelInboundHandler<HttpObject> {
        private final String path;
        private final HttpHeaders headers;
        private final EventRecorder recorder;
        private final SseDecoder decoder;
        private final CompletableFuture<HttpResponse> opened;
        private final CompletableFuture<Void> closedByServer;
        private final AtomicBoolean closing;
        private byte[] scratch = new byte[8192];
        private boolean streaming;

        StreamReader(String path, HttpHeaders headers, EventRecorder recorder, CompletableFuture<HttpResponse> opened,
                     CompletableFuture<Void> closedByServer, AtomicBoolean closing) {
            this.path = path;
            this.headers = headers;
            this.recorder = recorder;
            this.decoder = new SseDecoder(recorder);
            this.opened = opened;
            this.closedByServer = closedByServer;
            this.closing = closing;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path,
                    Unpooled.EMPTY_BUFFER, headers, EmptyHttpHeaders.INSTANCE);
            ctx.writeAndFlush(request); // the codec releases it
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse) {
                HttpResponse response = (HttpResponse) msg;
                String problem = problemWith(response);
                if (problem != null) {
                    AssertionError refused = new AssertionError(problem);
                    recorder.onFailure(refused);
                    opened.completeExceptionally(refused);
                    ctx.close();
                    return;
                }
                streaming = true;
                opened.complete(new DefaultHttpResponse(response.protocolVersion(), response.status(),
                        response.headers().copy()));
            }
            if (streaming && msg instanceof HttpContent) {
                // Decode from an untracked copy: under paranoid leak detection every per-byte read of the
                // tracked content would record a stack trace. The content itself stays tracked and is released.
                ByteBuf content = ((HttpContent) msg).content();
                int length = content.readableBytes();
                if (scratch.length < length) {
                    scratch = new byte[Math.max(length, 2 * scratch.length)];
                }
                content.readBytes(scratch, 0, length);
                ByteBuf copy = Unpooled.wrappedBuffer(scratch, 0, length);
                try {
                    decoder.decode(copy);
                } finally {
                    copy.release();
                }
            }
        }

        private static String problemWith(HttpResponse response) {
            String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
            if (!HttpResponseStatus.OK.equals(response.status())) {
                return "expected 200, was " + response.status();
            }
            if (type == null || !type.startsWith("text/event-stream")) {
                return "expected content-type text/event-stream, was " + type;
            }
            if (!HttpUtil.isTransferEncodingChunked(response)) {
                return "expected a chunked stream, headers were " + response.headers();
            }
            if (!"no-cache".equals(response.headers().get(HttpHeaderNames.CACHE_CONTROL))) {
                return "expected cache-control: no-cache, headers were " + response.headers();
            }
            return null;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (closing.get()) {
                closedByServer.completeExceptionally(new IllegalStateException("closed by the client"));
            } else {
                closedByServer.complete(null);
            }
            opened.completeExceptionally(new IllegalStateException("connection closed before the response head"));
            recorder.onClosed();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof IOException)) {
                recorder.onFailure(cause); // a decoding error, or a bug in the test
            }
            ctx.close();
        }
    }
}
