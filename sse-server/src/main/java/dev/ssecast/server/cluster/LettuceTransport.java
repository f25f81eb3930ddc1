package dev.ssecast.server.cluster;

import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;
import io.lettuce.core.resource.KqueueProvider;

import java.util.Map;

/**
 * Makes Lettuce run the server's own transport. Lettuce picks its transport from system properties
 * ({@code io.lettuce.core.epoll}, {@code io.lettuce.core.iouring}, {@code io.lettuce.core.kqueue}) that its
 * providers read once, when their classes load; left alone, with both epoll and io_uring on the class path it
 * takes epoll and warns about it at every connection. So the properties are set before Lettuce first loads them,
 * each only when unset: one an operator passed with {@code -D} wins. This is JVM-wide by Lettuce's design.
 */
final class LettuceTransport {
    private static final String EPOLL = "io.lettuce.core.epoll";
    private static final String IO_URING = "io.lettuce.core.iouring";
    private static final String KQUEUE = "io.lettuce.core.kqueue";

    private LettuceTransport() {
    }

    /**
     * Asks Lettuce for {@code transport} ({@code epoll}, {@code io_uring} or {@code nio}) and returns the one it
     * runs, which differs when its providers were loaded earlier in this JVM or it cannot have that transport.
     */
    static synchronized String select(String transport) {
        Map<String, Boolean> enabled = Map.of(
                EPOLL, transport.equals("epoll"),
                IO_URING, transport.equals("io_uring"),
                KQUEUE, false);
        enabled.forEach((property, on) -> {
            if (System.getProperty(property) == null) {
                System.setProperty(property, on.toString());
            }
        });
        return running();
    }

    /** The transport Lettuce runs, in its own order of preference. */
    static String running() {
        if (EpollProvider.isAvailable()) {
            return "epoll";
        }
        if (KqueueProvider.isAvailable()) {
            return "kqueue";
        }
        return IOUringProvider.isAvailable() ? "io_uring" : "nio";
    }
}
