package dev.ssecast.bench.load;

import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;

/** Options every run shares: the server, the subscribers' spread, the publisher, and where results go. */
final class TargetOptions {
    /** A process here may hold at most 20,000 descriptors; leave room for the JVM's own. */
    static final int CONNECTIONS_PER_PROCESS = 18_000;

    @Option(names = "--url", required = true,
            description = "SSE stream URL, e.g. http://127.0.0.1:8080/events?topic=bench")
    URI url;

    @Option(names = "--publish-url", required = true,
            description = "URL to POST each event's data to, e.g. http://127.0.0.1:8080/events?topic=bench")
    URI publishUrl;

    @Option(names = "--protocol", defaultValue = "http1",
            description = "Subscribers' protocol: http1 (a connection each) or h2 (HTTP/2 streams sharing connections: "
                    + "prior knowledge on http://, ALPN h2 on https://) (default: ${DEFAULT-VALUE})")
    String protocol = "http1";

    @Option(names = "--streams-per-connection", defaultValue = "0",
            description = "With --protocol h2: streams each connection carries (--connections is the streams in all)")
    int streamsPerConnection;

    @Option(names = "--h2-connections", defaultValue = "0",
            description = "With --protocol h2: connections to spread the streams over, instead of "
                    + "--streams-per-connection")
    int h2Connections;

    @Option(names = "--sources", defaultValue = "127.0.0.1-127.0.0.250",
            description = "Subscriber source addresses: a range a.b.c.d-a.b.c.e or a list (default: ${DEFAULT-VALUE})")
    String sources;

    @Option(names = "--processes", defaultValue = "0",
            description = "Processes to split the subscribers over; 0: as few as hold " + CONNECTIONS_PER_PROCESS
                    + " each (default)")
    int processes;

    @Option(names = "--threads", defaultValue = "1",
            description = "Event loops per process (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--ramp", defaultValue = "2000",
            description = "New connections per second (default: ${DEFAULT-VALUE})")
    double ramp;

    @Option(names = "--publishers", defaultValue = "1",
            description = "Pipelined publishing connections (default: ${DEFAULT-VALUE})")
    int publishers;

    @Option(names = "--payload", defaultValue = "100",
            description = "Bytes of each event's data (default: ${DEFAULT-VALUE})")
    int payload;

    @Option(names = "--drain", defaultValue = "3000",
            description = "Milliseconds to wait after a step for its last events (default: ${DEFAULT-VALUE})")
    long drainMillis;

    @Option(names = "--settle", defaultValue = "2000",
            description = "Milliseconds to let the server settle before measuring memory (default: ${DEFAULT-VALUE})")
    long settleMillis;

    @Option(names = "--server-pid", split = ",",
            description = "The server's pids (comma-separated: all of nginx's processes), for RSS and CPU")
    java.util.List<Long> serverPid = new java.util.ArrayList<>();

    @Option(names = "--jvm-heap", description = "The server is a JVM: also measure its heap after a full GC (jcmd)")
    boolean jvmHeap;

    @Option(names = "--label", defaultValue = "server",
            description = "Name of the server in reports (default: ${DEFAULT-VALUE})")
    String label;

    @Option(names = "--json", description = "Write the results to this JSON file")
    Path json;

    @Option(names = "--html", description = "Write a self-contained HTML report with plots to this file")
    Path html;

    @Option(names = "--quiet", description = "Do not print each second")
    boolean quiet;

    /** How {@code subscribers} streams reach the server: the protocol options, checked. */
    Subscription subscription(int subscribers) {
        Subscription.Protocol chosen = Subscription.Protocol.parse(protocol);
        if (chosen == Subscription.Protocol.HTTP1) {
            if (streamsPerConnection > 0 || h2Connections > 0) {
                throw new IllegalArgumentException("--streams-per-connection and --h2-connections need --protocol h2");
            }
            return Subscription.http1(url);
        }
        if ((streamsPerConnection > 0) == (h2Connections > 0)) {
            throw new IllegalArgumentException("--protocol h2 needs one of --streams-per-connection and "
                    + "--h2-connections, was " + streamsPerConnection + " and " + h2Connections);
        }
        return Subscription.h2(url, streamsPerConnection > 0 ? streamsPerConnection
                : Math.max(1, (subscribers + h2Connections - 1) / h2Connections));
    }

    /**
     * Processes for {@code subscribers}: as asked, else as few as keep each process's TCP connections under the
     * descriptor limit.
     */
    int processesFor(int subscribers) {
        int sockets = subscription(subscribers).connectionsFor(subscribers);
        return processes > 0 ? processes : Math.max(1, (sockets + CONNECTIONS_PER_PROCESS - 1)
                / CONNECTIONS_PER_PROCESS);
    }
}
