package dev.ssecast.bench.load;

import io.netty.channel.EventLoopGroup;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drives one run from the calling thread: subscriber nodes (this process and workers), the publisher, the server's
 * {@code /proc} figures, and the steps. Each step publishes at a rate for some seconds, prints a line a second,
 * waits for the step's last events, and returns what held. Not thread-safe.
 */
final class Coordinator implements AutoCloseable {
    private final TargetOptions options;
    private final Subscription subscription;
    private final PrintStream out;
    private final List<LoadNode> nodes = new ArrayList<>();
    private final EventLoopGroup publishing;
    private final Publisher publisher;
    private final List<Results.Second> seconds = new ArrayList<>();
    private final List<Results.Memory> memory = new ArrayList<>();
    private final long idleRss;
    private final long idleTcp;
    private final long idleSlab;
    private final long idleHeap;
    private final long started = System.nanoTime();
    private long acceptedBefore;
    private long lastSeq = -1;
    private Refusals refused = Refusals.NONE;
    private int connections;

    Coordinator(TargetOptions options, int maxConnections, PrintStream out) {
        this.options = options;
        this.out = out;
        List<InetAddress> sources = Sources.parse(options.sources);
        this.subscription = options.subscription(maxConnections);
        int processes = options.processesFor(maxConnections);
        for (int p = 0; p < processes; p++) {
            List<InetAddress> slice = Sources.slice(sources, p, processes);
            nodes.add(p == 0 ? new LocalNode(subscription, slice, options.threads)
                    : new RemoteNode(subscription, slice, options.threads));
        }
        publishing = Transport.group("ssecast-bench-pub", 1);
        publisher = new Publisher(publishing.next(), Transport.bootstrap(publishing), options.publishUrl,
                options.publishers, options.payload);
        LocalNode.sleepQuietly(measuresServer() ? options.settleMillis : 0);
        idleHeap = heap();
        idleRss = ProcStats.rssBytes(options.serverPid);
        idleTcp = ProcStats.tcpSocketBytes();
        idleSlab = ProcStats.slabBytes();
    }

    private boolean measuresServer() {
        return !options.serverPid.isEmpty();
    }

    private long heap() {
        if (!options.jvmHeap || options.serverPid.size() != 1) {
            return -1;
        }
        return ProcStats.heapUsedAfterGc(options.serverPid.get(0));
    }

    int processes() {
        return nodes.size();
    }

    /** Opens subscribers until {@code total} are open across the nodes; measures memory at each new level. */
    void open(int total) {
        if (total <= connections) {
            return;
        }
        List<CompletableFuture<Void>> opening = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            LoadNode node = nodes.get(i);
            int share = share(total, i);
            double perSecond = options.ramp / nodes.size();
            long timeout = (long) (1000 * (share / perSecond)) + 30_000;
            opening.add(CompletableFuture.runAsync(() -> node.open(share, perSecond, timeout)));
        }
        CompletableFuture.allOf(opening.toArray(new CompletableFuture<?>[0])).join();
        connections = total;
        Snapshot now = snapshot();
        if (subscription.protocol() == Subscription.Protocol.H2) {
            say("opened %d of %d HTTP/2 streams (%d failed) on %d connections in %.1fs", now.open(), total,
                    now.failed(), subscription.connectionsFor(total), elapsed());
        } else {
            say("opened %d of %d connections (%d failed) in %.1fs", now.open(), total, now.failed(), elapsed());
        }
        if (measuresServer()) {
            LocalNode.sleepQuietly(options.settleMillis);
            long heap = heap();
            long rss = ProcStats.rssBytes(options.serverPid);
            long tcp = ProcStats.tcpSocketBytes();
            long slab = ProcStats.slabBytes();
            int open = Math.max(1, now.open());
            memory.add(new Results.Memory(now.open(), idleRss, rss, (rss - idleRss) / (double) open, idleTcp, tcp,
                    (tcp - idleTcp) / (double) open, idleSlab, slab, (slab - idleSlab) / (double) open, idleHeap,
                    heap, heap < 0 || idleHeap < 0 ? -1 : (heap - idleHeap) / (double) open));
            say("memory per idle connection: server RSS %.0f B%s, kernel TCP buffers %.0f B, kernel slab %.0f B "
                    + "(both ends)", (rss - idleRss) / (double) open, heap < 0 ? "" : String.format(
                    " (Java heap after GC %.0f B)", (heap - idleHeap) / (double) open), (tcp - idleTcp) / (double) open,
                    (slab - idleSlab) / (double) open);
        }
    }

    private int share(int total, int node) {
        return (int) ((long) total * (node + 1) / nodes.size() - (long) total * node / nodes.size());
    }

    private Snapshot snapshot() {
        List<Snapshot> parts = new ArrayList<>();
        for (LoadNode node : nodes) {
            parts.add(node.snapshot());
        }
        return Snapshot.merge(parts);
    }

    /** Publishes at {@code rate} events per second for {@code duration} seconds to the open subscribers. */
    Results.Step step(double rate, int duration, Results.Slo slo) {
        long firstSeq = publisher.nextSeq().join();
        for (LoadNode node : nodes) {
            node.mark(firstSeq);
        }
        Snapshot before = snapshot();
        long cpuBefore = ProcStats.cpuNanos(options.serverPid);
        long loadCpuBefore = ProcStats.cpuNanos(loadPids());
        long stepStart = System.nanoTime();
        Histogram latency = Snapshot.newHistogram();
        publisher.rate(rate);
        Snapshot last = before;
        long lastCpu = cpuBefore;
        for (int s = 1; s <= duration; s++) {
            sleepUntil(stepStart + TimeUnit.SECONDS.toNanos(s));
            Snapshot now = snapshot();
            long cpu = ProcStats.cpuNanos(options.serverPid);
            latency.add(now.histogram());
            second(rate, last, now, cpu - lastCpu);
            last = now;
            lastCpu = cpu;
        }
        Publisher.Sent sent = publisher.stop(options.drainMillis).join();
        double seconds = (System.nanoTime() - stepStart) / 1e9;
        long accepted = sent.accepted() - acceptedBefore;
        acceptedBefore = sent.accepted();
        long published = sent.lastSeq() - firstSeq + 1;
        lastSeq = sent.lastSeq();
        refused = sent.refused();
        long expected = accepted * last.open();
        long drainEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.drainMillis);
        Snapshot end = snapshot();
        latency.add(end.histogram());
        while (end.stepDeliveries() < expected && System.nanoTime() < drainEnd) {
            LocalNode.sleepQuietly(50);
            end = snapshot();
            latency.add(end.histogram());
        }
        long cpuAfter = ProcStats.cpuNanos(options.serverPid);
        double loadCpu = 100 * (ProcStats.cpuNanos(loadPids()) - loadCpuBefore) / 1e9
                / ((System.nanoTime() - stepStart) / 1e9);
        long delivered = end.stepDeliveries();
        double ratio = expected == 0 ? 0 : delivered / (double) expected;
        Results.Latency percentiles = Results.Latency.of(latency);
        boolean held = expected > 0 && ratio >= slo.minDeliveredRatio() && percentiles.p99() <= slo.p99Millis();
        String verdict = held ? "held" : expected == 0 ? "nothing accepted"
                : ratio < slo.minDeliveredRatio() ? String.format("delivered %.1f%% < %.1f%%", 100 * ratio,
                100 * slo.minDeliveredRatio())
                : String.format("p99 %.1fms > %.1fms", percentiles.p99(), slo.p99Millis());
        double cpuNanos = cpuBefore < 0 ? -1 : cpuAfter - cpuBefore;
        Results.Step step = new Results.Step(connections, rate, seconds, published, accepted, published - accepted,
                expected, delivered, ratio, delivered / (double) duration,
                (end.bytes() - before.bytes()) / seconds, percentiles,
                cpuNanos < 0 ? -1 : 100 * cpuNanos / 1e9 / seconds,
                cpuNanos < 0 || delivered == 0 ? -1 : cpuNanos / 1e3 / delivered,
                ProcStats.rssBytes(options.serverPid), loadCpu, held, verdict);
        say("step %d connections x %.0f/s: %s; delivered %d of %d (%.2f%%), %.0f deliveries/s, p50 %.2fms "
                + "p99 %.2fms p99.9 %.2fms max %.2fms%s", connections, rate, verdict, delivered, expected, 100 * ratio,
                step.deliveriesPerSecond(), percentiles.p50(), percentiles.p99(), percentiles.p999(), percentiles.max(),
                (step.serverCpuMicrosPerDelivery() < 0 ? ""
                        : String.format(", server CPU %.0f%% = %.3f us/delivery", step.serverCpuPercent(),
                        step.serverCpuMicrosPerDelivery())) + String.format(", load generator CPU %.0f%%", loadCpu));
        return step;
    }

    private void second(double rate, Snapshot last, Snapshot now, long cpuNanos) {
        Results.Latency l = Results.Latency.of(now.histogram());
        double cpu = measuresServer() ? 100 * cpuNanos / 1e9 : -1;
        long rss = ProcStats.rssBytes(options.serverPid);
        Results.Second second = new Results.Second(Math.round(elapsed() * 10) / 10.0, connections, rate, now.open(),
                now.failed(), now.deliveries() - last.deliveries(), now.bytes() - last.bytes(), l,
                now.outOfOrder(), now.gaps(), cpu, rss);
        seconds.add(second);
        if (!options.quiet) {
            say("%6.1fs open %d failed %d | %,.0f deliveries/s %,.1f MB/s | p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f "
                    + "max %.2f ms | lost ~%d, out of order %d%s", second.t(), second.open(), second.failed(),
                    second.deliveriesPerSecond(), second.bytesPerSecond() / 1e6, l.p50(), l.p90(), l.p99(), l.p999(),
                    l.max(), second.lostSoFar(), second.outOfOrder(),
                    rss < 0 ? "" : String.format(" | server %.0f%% CPU %,d MB RSS", cpu, rss >> 20));
        }
    }

    /** Every connection's losses and disorder over the whole run. */
    Accounting finish() {
        List<Accounting> parts = new ArrayList<>();
        for (LoadNode node : nodes) {
            parts.add(node.finish(lastSeq, refused));
        }
        return Accounting.sum(parts);
    }

    List<Results.Second> seconds() {
        return seconds;
    }

    List<Results.Memory> memory() {
        return memory;
    }

    /** This process and the workers: the load generator's own CPU shares the machine with the server's. */
    private List<Long> loadPids() {
        List<Long> pids = new ArrayList<>();
        for (LoadNode node : nodes) {
            pids.add(node.pid());
        }
        return pids;
    }

    private double elapsed() {
        return (System.nanoTime() - started) / 1e9;
    }

    private void say(String format, Object... args) {
        out.println(String.format(format, args));
        out.flush();
    }

    private static void sleepUntil(long nanos) {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            LocalNode.sleepQuietly(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public void close() {
        publisher.close();
        for (LoadNode node : nodes) {
            node.close();
        }
        publishing.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
