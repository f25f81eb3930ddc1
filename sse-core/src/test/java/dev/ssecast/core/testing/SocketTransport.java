package dev.ssecast.core.testing;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The loopback transport of socket tests: epoll when {@link Epoll#isAvailable()}, else NIO. Groups come from
 * {@link #newGroup}, and channel classes are chosen to match the group they will run on.
 *
 * <p>Needs {@code netty-transport-native-epoll} on the test classpath (NIO is used when its native part is missing).
 */
public final class SocketTransport {
    private SocketTransport() {
    }

    /** A group of {@code threads} daemon event loops named {@code name-*}, epoll when available. */
    public static EventLoopGroup newGroup(String name, int threads) {
        IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), io);
    }

    /** Shuts {@code group} down without a quiet period and waits up to 10s for its threads to end. */
    public static void shutDown(EventLoopGroup group) {
        if (group != null) {
            group.shutdownGracefully(0, 10, TimeUnit.SECONDS).awaitUninterruptibly(Duration.ofSeconds(15).toMillis());
        }
    }

    static Class<? extends SocketChannel> socketChannel(EventLoopGroup group) {
        return isEpoll(group) ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    static Class<? extends ServerSocketChannel> serverSocketChannel(EventLoopGroup group) {
        return isEpoll(group) ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    private static boolean isEpoll(EventLoopGroup group) {
        return Epoll.isAvailable() && group instanceof IoEventLoopGroup
                && ((IoEventLoopGroup) group).isIoType(EpollIoHandler.class);
    }
}
