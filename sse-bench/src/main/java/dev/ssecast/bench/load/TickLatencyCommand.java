package dev.ssecast.bench.load;

import dev.ssecast.bench.jmh.SinkTicks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.Version;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code ssecast-bench tick-latency}: the duration of one tick at N streams, from the start of the tick to the moment
 * every event loop has written and flushed its frame, per Netty leak detection level, in one process. The levels
 * alternate in blocks of ticks over the same streams and the same warmed-up JIT, so that a difference between them
 * is the detector's and not the machine's drift.
 *
 * <p>Why the level matters: at {@code simple} Netty tracks about one allocation in 128, and once a pooled frame is
 * tracked, each of its {@code retainedDuplicate()}s gets a tracker of its own (a stack trace, a weak reference, a
 * set entry); the tick that built that frame pays one per stream.
 */
@Command(name = "tick-latency", mixinStandardHelpOptions = true,
        description = "Tick duration (publish one event, tick, every loop written and flushed) at N in-VM sink "
                + "streams, per Netty leak detection level, alternating in one process; p50/p99/p99.9/max.")
final class TickLatencyCommand implements Callable<Integer> {
    /** Allocations per probe of whether the level in force tracks the allocator's buffers. */
    static final int PROBE_ALLOCATIONS = 4096;

    /**
     * One allocator at one level: the measured ticks' durations (µs) and what else ran meanwhile; then the same split
     * by whether the detector tracked the tick's frame ({@code tracked*}: those ticks; {@code untracked*}: the rest).
     */
    record LevelResult(String allocator, String level, long ticks, double p50Micros, double p90Micros,
                       double p99Micros, double p999Micros, double maxMicros, double meanMicros, long gcCount,
                       long gcMillis, int probeTracked, int probeAllocations, long shortTicks, long trackedTicks,
                       double trackedP50Micros, double trackedMaxMicros, double untrackedP999Micros,
                       double untrackedMaxMicros, String histogram) {
    }

    /** A level's percentiles divided by the baseline level's (the first of {@code --levels}), same allocator. */
    record Ratio(String allocator, String level, String baseline, double p50, double p99, double p999, double max) {
    }

    /** A whole run. {@code histogram}s are HdrHistograms of nanoseconds, compressed, in base64. */
    record Run(String date, String machine, String jdk, String jvmOptions, String netty, String command,
               int streams, int threads, int ticks, int warmup, int block, int frameBytes,
               List<LevelResult> results, List<Ratio> ratios) {
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--streams", defaultValue = "100000", description = "Streams (default: ${DEFAULT-VALUE})")
    int streams;

    @Option(names = "--threads", defaultValue = "2", description = "Event loops (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--ticks", defaultValue = "3000",
            description = "Measured ticks per allocator and level (default: ${DEFAULT-VALUE})")
    int ticks;

    @Option(names = "--warmup", defaultValue = "500",
            description = "Ticks per allocator and level before measuring, alternating too (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--block", defaultValue = "100",
            description = "Ticks in a row at one level before the next level's block (default: ${DEFAULT-VALUE})")
    int block;

    @Option(names = "--levels", defaultValue = "disabled,simple", split = ",",
            description = "Leak detection levels to alternate; ratios are to the first (default: ${DEFAULT-VALUE})")
    List<String> levels;

    @Option(names = "--allocators", defaultValue = "pooled", split = ",",
            description = "Frame allocators, one after the other: pooled (the broadcaster's default, which the "
                    + "server uses), adaptive (Netty 4.2's default) (default: ${DEFAULT-VALUE})")
    List<String> allocators;

    @Option(names = "--timeout", defaultValue = "60",
            description = "Seconds a set-up step or one tick may take before the run fails (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--out", description = "Write the run as JSON to this file")
    Path out;

    @Override
    public Integer call() throws Exception {
        List<ResourceLeakDetector.Level> order = parseLevels();
        if (streams < 1 || threads < 1 || ticks < 1 || warmup < 0 || block < 1) {
            throw new ParameterException(spec.commandLine(),
                    "--streams, --threads, --ticks and --block must be at least 1, --warmup at least 0");
        }
        ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
        List<LevelResult> results = new ArrayList<>();
        int frameBytes = 0;
        try {
            for (String allocator : allocators) {
                System.gc(); // what the previous allocator's streams left is not collected during these ticks
                long setUp = System.nanoTime();
                try (SinkTicks sink = SinkTicks.open(streams, threads, allocator, timeoutSeconds)) {
                    System.out.printf("%s: %d streams on %d event loops set up in %.1f s%n", allocator, streams,
                            threads, (System.nanoTime() - setUp) / 1e9);
                    frameBytes = sink.frameLength();
                    results.addAll(measure(sink, allocator, order));
                }
            }
        } finally {
            ResourceLeakDetector.setLevel(before);
        }
        Run run = new Run(OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString(),
                Reports.machine(), System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + " (" + System.getProperty("java.vendor") + ")",
                String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()), nettyVersion(), command(),
                streams, threads, ticks, warmup, block, frameBytes, results, ratios(results, order));
        print(run);
        if (out != null) {
            if (out.toAbsolutePath().getParent() != null) {
                Files.createDirectories(out.toAbsolutePath().getParent());
            }
            Files.writeString(out, Reports.GSON.toJson(run));
            System.out.println("wrote " + out);
        }
        return 0;
    }

    /**
     * Runs blocks of {@code --block} ticks, one level after the other, until each level has had its warm-up and
     * its measured ticks; a block is all warm-up or all measured, so GC counts belong to the measured ticks.
     */
    private List<LevelResult> measure(SinkTicks sink, String allocator, List<ResourceLeakDetector.Level> order)
            throws TimeoutException {
        int n = order.size();
        Histogram[] durations = new Histogram[n];
        Histogram[] tracked = new Histogram[n];
        Histogram[] untracked = new Histogram[n];
        int[] done = new int[n];
        long[] gcCount = new long[n];
        long[] gcMillis = new long[n];
        long[] shortTicks = new long[n];
        int[] probes = new int[n];
        long highest = TimeUnit.SECONDS.toNanos(timeoutSeconds) * 2;
        long due = (long) sink.frameLength() * streams;
        long bytes = sink.sinkBytes();
        for (int i = 0; i < n; i++) {
            durations[i] = new Histogram(1, highest, 3);
            tracked[i] = new Histogram(1, highest, 3);
            untracked[i] = new Histogram(1, highest, 3);
            ResourceLeakDetector.setLevel(order.get(i));
            probes[i] = probe(sink.allocator());
        }
        for (boolean more = true; more; ) {
            more = false;
            for (int i = 0; i < n; i++) {
                int left = done[i] < warmup ? warmup - done[i] : warmup + ticks - done[i];
                if (left == 0) {
                    continue;
                }
                boolean measured = done[i] >= warmup;
                int count = Math.min(block, left);
                ResourceLeakDetector.setLevel(order.get(i)); // before the block's frames are allocated
                long[] gc = gc();
                for (int t = 0; t < count; t++) {
                    sink.publish();
                    long frames = sink.trackedFrames();
                    long start = System.nanoTime();
                    sink.tick();
                    sink.awaitLoops(timeoutSeconds, TimeUnit.SECONDS);
                    long took = Math.min(System.nanoTime() - start, highest);
                    long now = sink.sinkBytes();
                    if (measured) {
                        durations[i].recordValue(took);
                        (sink.trackedFrames() != frames ? tracked[i] : untracked[i]).recordValue(took);
                        shortTicks[i] += now - bytes == due ? 0 : 1;
                    }
                    bytes = now;
                }
                done[i] += count;
                if (measured) {
                    long[] after = gc();
                    gcCount[i] += after[0] - gc[0];
                    gcMillis[i] += after[1] - gc[1];
                }
                more |= done[i] < warmup + ticks;
            }
        }
        if (sink.openStreams() != streams) {
            throw new IllegalStateException("streams closed during the run: " + sink.openStreams() + " of "
                    + streams + " open");
        }
        List<LevelResult> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            results.add(result(allocator, order.get(i), durations[i], tracked[i], untracked[i], gcCount[i],
                    gcMillis[i], probes[i], shortTicks[i]));
        }
        return results;
    }

    /**
     * How many of {@link #PROBE_ALLOCATIONS} frame-sized buffers from {@code alloc} the level now in force tracks
     * (Netty wraps a tracked buffer in a leak-aware one): proof that setting the level at run time reaches this
     * allocator's new buffers. Expect 0 for disabled, about 1 in 128 for simple, all for paranoid.
     */
    static int probe(ByteBufAllocator alloc) {
        int tracked = 0;
        for (int i = 0; i < PROBE_ALLOCATIONS; i++) {
            ByteBuf buf = alloc.directBuffer(128);
            try {
                tracked += buf.getClass().getSimpleName().contains("LeakAware") ? 1 : 0;
            } finally {
                buf.release();
            }
        }
        return tracked;
    }

    private static LevelResult result(String allocator, ResourceLeakDetector.Level level, Histogram h,
                                      Histogram tracked, Histogram untracked, long gcCount, long gcMillis, int probe,
                                      long shortTicks) {
        return new LevelResult(allocator, level.name().toLowerCase(Locale.ROOT), h.getTotalCount(),
                micros(h.getValueAtPercentile(50)), micros(h.getValueAtPercentile(90)),
                micros(h.getValueAtPercentile(99)), micros(h.getValueAtPercentile(99.9)), micros(h.getMaxValue()),
                h.getMean() / 1000.0, gcCount, gcMillis, probe, PROBE_ALLOCATIONS, shortTicks,
                tracked.getTotalCount(), micros(tracked.getValueAtPercentile(50)), micros(tracked.getMaxValue()),
                micros(untracked.getValueAtPercentile(99.9)), micros(untracked.getMaxValue()), Snapshot.encode(h));
    }

    private static List<Ratio> ratios(List<LevelResult> results, List<ResourceLeakDetector.Level> order) {
        List<Ratio> ratios = new ArrayList<>();
        for (int i = 0; i < results.size(); i += order.size()) {
            LevelResult base = results.get(i);
            for (int j = i + 1; j < i + order.size(); j++) {
                LevelResult r = results.get(j);
                ratios.add(new Ratio(r.allocator(), r.level(), base.level(), r.p50Micros() / base.p50Micros(),
                        r.p99Micros() / base.p99Micros(), r.p999Micros() / base.p999Micros(),
                        r.maxMicros() / base.maxMicros()));
            }
        }
        return ratios;
    }

    private List<ResourceLeakDetector.Level> parseLevels() {
        List<ResourceLeakDetector.Level> order = new ArrayList<>();
        for (String name : levels) {
            try {
                order.add(ResourceLeakDetector.Level.valueOf(name.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--levels must be of disabled, simple, advanced, "
                        + "paranoid, was " + name);
            }
        }
        return order;
    }

    /** Collections and their milliseconds so far, over all collectors. */
    private static long[] gc() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    private static double micros(long nanos) {
        return nanos / 1000.0;
    }

    private static String nettyVersion() {
        return Version.identify().values().stream().findFirst().map(Version::artifactVersion).orElse("unknown");
    }

    private String command() {
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        return "ssecast-bench tick-latency " + String.join(" ",
                !args.isEmpty() && args.get(0).equals("tick-latency") ? args.subList(1, args.size()) : args);
    }

    private static void print(Run run) {
        System.out.println(run.command());
        System.out.println("date: " + run.date());
        System.out.println("machine: " + run.machine());
        System.out.println("jdk: " + run.jdk() + "; jvm options: " + run.jvmOptions());
        System.out.println("netty: " + run.netty());
        System.out.printf("%d streams on %d event loops (in-VM sink channels, HttpServerCodec + SseHandler), one "
                        + "event of %d bytes a tick; %d measured ticks per level after %d warm-up, blocks of %d%n",
                run.streams(), run.threads(), run.frameBytes(), run.ticks(), run.warmup(), run.block());
        System.out.printf("%-9s %-9s %7s %10s %10s %10s %10s %10s %10s %5s %7s %8s %6s%n", "allocator", "level",
                "ticks", "p50 us", "p90 us", "p99 us", "p99.9 us", "max us", "mean us", "GCs", "GC ms", "probe",
                "short");
        for (LevelResult r : run.results()) {
            System.out.printf("%-9s %-9s %7d %10.1f %10.1f %10.1f %10.1f %10.1f %10.1f %5d %7d %8s %6d%n",
                    r.allocator(), r.level(), r.ticks(), r.p50Micros(), r.p90Micros(), r.p99Micros(), r.p999Micros(),
                    r.maxMicros(), r.meanMicros(), r.gcCount(), r.gcMillis(),
                    r.probeTracked() + "/" + r.probeAllocations(), r.shortTicks());
        }
        System.out.println("split by whether the detector tracked the tick's frame:");
        System.out.printf("%-9s %-9s %14s %16s %16s %18s %18s%n", "allocator", "level", "tracked ticks",
                "tracked p50 us", "tracked max us", "untracked p99.9 us", "untracked max us");
        for (LevelResult r : run.results()) {
            System.out.printf("%-9s %-9s %14d %16.1f %16.1f %18.1f %18.1f%n", r.allocator(), r.level(),
                    r.trackedTicks(), r.trackedP50Micros(), r.trackedMaxMicros(), r.untrackedP999Micros(),
                    r.untrackedMaxMicros());
        }
        for (Ratio r : run.ratios()) {
            System.out.printf("%s, %s ÷ %s: p50 ×%.2f, p99 ×%.2f, p99.9 ×%.2f, max ×%.2f%n", r.allocator(),
                    r.level(), r.baseline(), r.p50(), r.p99(), r.p999(), r.max());
        }
    }
}
