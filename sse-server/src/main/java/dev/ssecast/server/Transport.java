package dev.ssecast.server;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Locale;

/** The I/O transport the operator asks for; {@link #resolve()} says which one the machine can give. */
public enum Transport {
    AUTO, EPOLL, NIO, IO_URING;

    /** What a transport resolved to: the event loops' I/O handler, the listener's class, and why, if not asked. */
    record Resolved(String name, IoHandlerFactory ioHandlerFactory, Class<? extends ServerChannel> serverChannel,
                    String fallbackReason) {
    }

    /**
     * The transport to use: {@code auto} is epoll where available, else NIO; {@code epoll} and {@code io_uring}
     * fall back to {@code auto} with a reason when this machine cannot give them (another OS, a kernel without
     * io_uring, a sandbox that forbids it).
     */
    Resolved resolve() {
        switch (this) {
            case NIO:
                return nio(null);
            case IO_URING:
                if (IoUring.isAvailable()) {
                    return new Resolved("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                            null);
                }
                return auto("io_uring is not available: " + IoUring.unavailabilityCause());
            case EPOLL:
                return Epoll.isAvailable() ? epoll() : auto("epoll is not available: " + Epoll.unavailabilityCause());
            default:
                return auto(null);
        }
    }

    private static Resolved auto(String fallbackReason) {
        return Epoll.isAvailable() ? withReason(epoll(), fallbackReason) : nio(fallbackReason);
    }

    private static Resolved withReason(Resolved resolved, String reason) {
        return new Resolved(resolved.name(), resolved.ioHandlerFactory(), resolved.serverChannel(), reason);
    }

    private static Resolved epoll() {
        return new Resolved("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, null);
    }

    private static Resolved nio(String fallbackReason) {
        return new Resolved("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, fallbackReason);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads {@code auto}, {@code epoll}, {@code nio} or {@code io_uring}, in any case. */
    static final class Converter implements ITypeConverter<Transport> {
        @Override
        public Transport convert(String value) {
            for (Transport t : values()) {
                if (t.toString().equalsIgnoreCase(value.strip())) {
                    return t;
                }
            }
            throw new TypeConversionException("'" + value + "' is not one of auto, epoll, nio, io_uring");
        }
    }
}
