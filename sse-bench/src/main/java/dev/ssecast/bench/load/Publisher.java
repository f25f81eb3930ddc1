package dev.ssecast.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Publishes at a steady rate: HTTP/1.1 {@code POST}s pipelined over a few keep-alive connections, each body
 * {@code {"seq":N,"t":NANOS,"pad":"..."}} with the sequence number and {@link System#nanoTime()} at sending. A 2xx
 * answer counts as accepted; anything else, or no answer before its connection closed, as refused. Confined to one
 * event loop: call every method from any thread, they hop onto it.
 */
final class Publisher {
    private static final int MAX_IN_FLIGHT_PER_CONNECTION = 4096;

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final URI uri;
    private final String pad;
    private final List<Connection> connections = new ArrayList<>();
    private final SeqList refused = new SeqList();
    /** TLS for an {@code https://} URL, else null. */
    private final SslContext tls;
    private ScheduledFuture<?> pacer;
    private double rate;
    private long startNanos;
    private long sentSinceStart;
    private long nextSeq;
    private long accepted;
    private long behind;

    Publisher(EventLoop loop, Bootstrap bootstrap, URI uri, int connections, int payloadBytes) {
        this.loop = loop;
        this.tls = ClientTls.forUrl(uri);
        this.bootstrap = bootstrap.clone(loop).option(ChannelOption.TCP_NODELAY, true);
        this.uri = uri;
        this.pad = "x".repeat(Math.max(0, payloadBytes - 48));
        for (int i = 0; i < connections; i++) {
            this.connections.add(new Connection());
        }
    }

    /** Starts (or changes) publishing at {@code eventsPerSecond}, counted from now. */
    void rate(double eventsPerSecond) {
        loop.execute(() -> {
            rate = eventsPerSecond;
            startNanos = System.nanoTime();
            sentSinceStart = 0;
            if (pacer == null) {
                pacer = loop.scheduleAtFixedRate(this::pace, 0, 1, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** The next sequence number to be sent: events sent from now on have at least this one. */
    CompletableFuture<Long> nextSeq() {
        return CompletableFuture.supplyAsync(() -> nextSeq, loop);
    }

    /**
     * Stops sending and completes once every request sent has been answered (or its connection closed), or after
     * {@code timeoutMillis}, with what was sent: the last sequence number and the refused ones.
     */
    CompletableFuture<Sent> stop(long timeoutMillis) {
        CompletableFuture<Sent> done = new CompletableFuture<>();
        loop.execute(() -> {
            if (pacer != null) {
                pacer.cancel(false);
                pacer = null;
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            awaitAnswers(done, deadline);
        });
        return done;
    }

    private void awaitAnswers(CompletableFuture<Sent> done, long deadline) {
        boolean waiting = false;
        for (Connection c : connections) {
            waiting |= !c.inFlight.isEmpty();
        }
        if (waiting && System.nanoTime() < deadline) {
            loop.schedule(() -> awaitAnswers(done, deadline), 5, TimeUnit.MILLISECONDS);
            return;
        }
        for (Connection c : connections) {
            c.inFlight.drainTo(refused);
        }
        done.complete(new Sent(nextSeq - 1, accepted, Refusals.of(refused.toArray()), behind));
    }

    /** What a publisher sent: sequence numbers 0 to {@code lastSeq}, less the refused. */
    record Sent(long lastSeq, long accepted, Refusals refused, long behind) {
    }

    private void pace() {
        // the first event goes at once, then one every 1/rate: n seconds at rate r publish n * r events
        long due = (long) (rate * (System.nanoTime() - startNanos) / 1e9) + (rate > 0 ? 1 : 0) - sentSinceStart;
        if (due <= 0) {
            return;
        }
        int c = 0;
        for (long i = 0; i < due; i++) {
            Connection connection = connections.get((int) ((nextSeq + c++) % connections.size()));
            if (!connection.ready()) {
                behind += due - i;
                sentSinceStart += due - i;
                break;
            }
            connection.send(nextSeq++);
            sentSinceStart++;
        }
        for (Connection connection : connections) {
            connection.flush();
        }
    }

    /**
     * The data of event {@code seq} published at {@code nanos}: one line whose first two numbers are those two, as
     * {@link SseStreamReader} takes them back; {@code pad} brings it to the payload size.
     */
    static String body(long seq, long nanos, String pad) {
        return "{\"seq\":" + seq + ",\"t\":" + nanos + ",\"pad\":\"" + pad + "\"}";
    }

    /** Closes every publishing connection. */
    void close() {
        loop.execute(() -> {
            if (pacer != null) {
                pacer.cancel(false);
            }
            for (Connection connection : connections) {
                if (connection.channel != null) {
                    connection.channel.close();
                }
            }
        });
    }

    /**
     * One keep-alive connection and the sequence numbers it awaits answers for, oldest first. Sharable only in that
     * it joins each new pipeline after a reconnect; there is one pipeline at a time.
     */
    @ChannelHandler.Sharable
    private final class Connection extends ChannelInboundHandlerAdapter {
        final SeqList inFlight = new SeqList();
        Channel channel;
        ChannelFuture connecting;
        /** The TLS handshake of {@link #channel}, or null for plain HTTP: nothing is written or flushed before it. */
        Future<Channel> handshake;

        boolean ready() {
            if (channel != null && channel.isActive()) {
                return (handshake == null || handshake.isSuccess()) && inFlight.size() < MAX_IN_FLIGHT_PER_CONNECTION;
            }
            if (connecting == null || connecting.isDone()) {
                int port = ClientTls.port(uri);
                connecting = bootstrap.handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            SslHandler handler = tls.newHandler(ch.alloc());
                            handshake = handler.handshakeFuture();
                            ch.pipeline().addLast(handler);
                        }
                        // requests go out as raw bytes; only responses are decoded
                        ch.pipeline().addLast(new HttpResponseDecoder(), Connection.this);
                    }
                }).connect(uri.getHost(), port);
                channel = connecting.channel();
            }
            return false;
        }

        void send(long seq) {
            byte[] body = body(seq, System.nanoTime(), pad).getBytes(StandardCharsets.US_ASCII);
            String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            ByteBuf request = channel.alloc().buffer(head.length + body.length).writeBytes(head).writeBytes(body);
            inFlight.add(seq);
            channel.write(request, channel.voidPromise());
        }

        void flush() {
            if (channel != null && (handshake == null || handshake.isSuccess())) {
                channel.flush();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse && !inFlight.isEmpty()) {
                    long seq = inFlight.poll();
                    int status = ((HttpResponse) msg).status().code();
                    if (status >= 200 && status < 300) {
                        accepted++;
                    } else {
                        refused.add(seq);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            inFlight.drainTo(refused);
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
