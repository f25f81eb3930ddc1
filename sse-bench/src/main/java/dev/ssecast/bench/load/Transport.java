package dev.ssecast.bench.load;

import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.bootstrap.Bootstrap;
import io.netty.util.concurrent.DefaultThreadFactory;

/** The client transport: Netty's native epoll when it loads, else NIO. Stateless. */
final class Transport {
    private Transport() {
    }

    static boolean nativeEpoll() {
        return Epoll.isAvailable();
    }

    /** A group of {@code threads} daemon event loops. */
    static EventLoopGroup group(String name, int threads) {
        IoHandlerFactory io = nativeEpoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), io);
    }

    /**
     * A client bootstrap on {@code group}; with epoll, a bound source address takes its port at connect time
     * ({@code IP_BIND_ADDRESS_NO_PORT}), so a source address serves as many connections as the 4-tuple allows.
     */
    static Bootstrap bootstrap(EventLoopGroup group) {
        Class<? extends SocketChannel> type = nativeEpoll() ? EpollSocketChannel.class : NioSocketChannel.class;
        Bootstrap bootstrap = new Bootstrap().group(group).channel(type)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.SO_REUSEADDR, true);
        if (nativeEpoll()) {
            bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }
        return bootstrap;
    }
}
