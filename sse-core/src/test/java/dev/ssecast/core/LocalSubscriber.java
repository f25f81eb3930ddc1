package dev.ssecast.core;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/** A stream client on the in-VM transport that records what it decodes; for fan-out tests. */
final class LocalSubscriber {
    final List<SseEvent> events = new CopyOnWriteArrayList<>();
    final AtomicReference<Duration> retry = new AtomicReference<>();
    final AtomicReference<HttpResponse> response = new AtomicReference<>();
    final Channel channel;

    LocalSubscriber(EventLoopGroup group, LocalAddress server, String uri, String lastEventId) {
        SseDecoder decoder = new SseDecoder(new SseDecoder.Listener() {
            @Override
            public void onEvent(SseEvent event) {
                events.add(event);
            }

            @Override
            public void onRetry(Duration value) {
                retry.set(value);
            }
        });
        channel = new Bootstrap().group(group).channel(LocalChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new SimpleChannelInboundHandler<HttpObject>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                                if (msg instanceof HttpResponse) {
                                    response.set((HttpResponse) msg);
                                }
                                if (msg instanceof HttpContent) {
                                    decoder.decode(((HttpContent) msg).content());
                                }
                            }
                        });
                    }
                })
                .connect(server).syncUninterruptibly().channel();
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        request.headers().set("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.headers().set("Last-Event-ID", lastEventId);
        }
        channel.writeAndFlush(request).syncUninterruptibly();
    }

    /** Ids received so far, in order. */
    List<String> ids() {
        return events.stream().map(SseEvent::id).toList();
    }

    String lastId() {
        return events.isEmpty() ? null : events.get(events.size() - 1).id();
    }
}
