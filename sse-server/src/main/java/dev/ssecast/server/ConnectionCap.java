package dev.ssecast.server;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * How many connections the server may hold, decided once at start from {@code --max-connections} and the
 * process's open-file limit: each connection is a file descriptor, and a process that runs out of them can no
 * longer accept, log to a file or load a class. A reserve below the limit stays for the JVM itself and for
 * connections that are answered and closed when the server is full.
 *
 * @param max            connections served; a subscriber beyond this is told to retry later
 * @param acceptLimit    connections held at once; one beyond this is closed as soon as it is accepted
 * @param openFileLimit  the limit read at start, or -1 where the platform does not say
 * @param warning        the one warning to log when the limit decided the cap, else null
 */
record ConnectionCap(int max, int acceptLimit, long openFileLimit, String warning) {
    /** Connections served when neither the option nor the platform says: enough for a laptop demo. */
    static final int UNKNOWN_LIMIT_DEFAULT = 10_000;

    /** The process's open-file limit, or -1 where the platform does not tell it. */
    static long readOpenFileLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean) {
            return ((com.sun.management.UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount();
        }
        return -1;
    }

    /** File descriptors kept back from connections: 5% of the limit, at least 64 and at most 1024. */
    static long reserve(long openFileLimit) {
        return Math.max(64, Math.min(1024, openFileLimit / 20));
    }

    /**
     * Decides the cap.
     *
     * @param requested     {@code --max-connections}, or null when unset
     * @param openFileLimit the open-file limit, or -1 when unknown
     */
    static ConnectionCap decide(Integer requested, long openFileLimit) {
        if (openFileLimit < 0) {
            int max = requested == null ? UNKNOWN_LIMIT_DEFAULT : requested;
            return new ConnectionCap(max, saturatedAdd(max, 64), -1, null);
        }
        long reserve = reserve(openFileLimit);
        int ceiling = (int) Math.min(Integer.MAX_VALUE - 1, Math.max(1, openFileLimit - reserve));
        int acceptLimit = (int) Math.min(Integer.MAX_VALUE, ceiling + reserve / 2);
        if (requested != null && requested <= ceiling) {
            return new ConnectionCap(requested, Math.min(acceptLimit, saturatedAdd(requested, (int) (reserve / 2))),
                    openFileLimit, null);
        }
        String why = requested == null
                ? "--max-connections is unset"
                : "--max-connections " + requested + " is above what it allows";
        String warning = "open-file limit is " + openFileLimit + " and " + why + ": capping connections at "
                + ceiling + " (" + reserve + " descriptors kept in reserve). To serve more, raise the limit: "
                + "`ulimit -n <n>` in the shell that starts the server, LimitNOFILE=<n> in its systemd unit, "
                + "or --ulimit nofile=<n>:<n> for a container; then set --max-connections.";
        return new ConnectionCap(ceiling, acceptLimit, openFileLimit, warning);
    }

    private static int saturatedAdd(int a, int b) {
        long sum = (long) a + b;
        return (int) Math.min(Integer.MAX_VALUE, sum);
    }
}
