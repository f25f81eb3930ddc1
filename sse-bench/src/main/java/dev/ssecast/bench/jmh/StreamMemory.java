package dev.ssecast.bench.jmh;

import dev.ssecast.core.SseBroadcaster;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;

import javax.management.ObjectName;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The retained heap of idle event streams on the server's side, in-process: for each protocol ({@code http1}, then
 * {@code h2}), the live heap and the class histogram before and after opening {@code streams} streams of one
 * broadcaster as {@link SinkFanOutBenchmark} opens them ({@link SinkStreams}: over h2, {@code perConnection}
 * streams a connection), each after full collections, then their difference per stream. A warm-up round of each
 * protocol first, so that what is built once (classes' static tables, the pools' thread caches) is not counted.
 * Over HTTP/1.1 each stream's in-VM peer ({@code LocalChannel}) is in the difference too; over h2 one peer serves
 * a whole connection.
 *
 * <p>Usage: {@code java -Xms4g -Xmx4g -cp benchmarks.jar dev.ssecast.bench.jmh.StreamMemory OUT_DIR [streams]
 * [perConnection]}; writes {@code OUT_DIR/memory-<protocol>.md} and the raw histograms beside it. Single thread.
 */
public final class StreamMemory {
    private static final long TIMEOUT_SECONDS = 120;
    private static final int TOP_CLASSES = 45;

    private StreamMemory() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : ".");
        int streams = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int perConnection = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
        Files.createDirectories(out);
        for (String protocol : List.of("http1", "h2")) {
            measure(protocol, Math.min(streams, 2 * perConnection), perConnection, null); // warm-up
        }
        for (String protocol : List.of("http1", "h2")) {
            measure(protocol, streams, perConnection, out);
        }
    }

    private static void measure(String protocol, int streams, int perConnection, Path out) throws Exception {
        ManualTicks ticks = new ManualTicks(SseBroadcaster.builder().heartbeat(Duration.ofHours(1))
                .firstId(BenchFrames.FIRST_ID).allocator(PooledByteBufAllocator.DEFAULT));
        try {
            long heapBefore = liveHeap();
            long[] directBefore = direct();
            String before = histogram();
            SinkStreams sinks = protocol.equals("h2")
                    ? SinkStreams.subscribedH2(streams, perConnection, 2, ticks, TIMEOUT_SECONDS,
                    SinkChannel.Gather.EPOLL, WriteBufferWaterMark.DEFAULT, false)
                    : SinkStreams.subscribed(streams, 2, ticks, TIMEOUT_SECONDS, SinkChannel.Gather.EPOLL);
            try {
                long heapAfter = liveHeap();
                long[] directAfter = direct();
                String after = histogram();
                int open = ticks.broadcaster().openStreams();
                long unflushed = sinks.unflushedBytes();
                if (out != null) {
                    Files.writeString(out.resolve("histogram-" + protocol + "-before.txt"), before);
                    Files.writeString(out.resolve("histogram-" + protocol + "-after.txt"), after);
                    String report = report(protocol, streams, perConnection, open, unflushed, heapAfter - heapBefore,
                            directBefore, directAfter, before, after);
                    Files.writeString(out.resolve("memory-" + protocol + ".md"), report);
                    System.out.println(report);
                }
            } finally {
                sinks.close();
            }
        } finally {
            ticks.close();
        }
    }

    private static String report(String protocol, int streams, int perConnection, int open, long unflushed,
                                 long heap,
                                 long[] directBefore, long[] directAfter, String before, String after) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "## %s: %,d idle streams%s, %,d open%n%n", protocol, streams,
                protocol.equals("h2") ? String.format(Locale.ROOT, " (%,d a connection)", perConnection) : "", open));
        s.append(String.format(Locale.ROOT, "bytes written to the sinks and not flushed: %,d%n", unflushed));
        s.append(String.format(Locale.ROOT, "live heap: %,d B in all, **%.1f B per stream**%n", heap,
                (double) heap / streams));
        String[] names = {"JDK direct buffer pool", "pooled allocator, direct in use (pinned)",
                "channels' allocator (ByteBufAllocator.DEFAULT), direct used"};
        for (int i = 0; i < names.length; i++) {
            s.append(String.format(Locale.ROOT, "%s: %,d -> %,d B, %.2f B per stream%n", names[i], directBefore[i],
                    directAfter[i], (double) (directAfter[i] - directBefore[i]) / streams));
        }
        Map<String, long[]> was = parse(before);
        Map<String, long[]> now = parse(after);
        List<Map.Entry<String, long[]>> diff = new ArrayList<>();
        for (Map.Entry<String, long[]> e : now.entrySet()) {
            long[] old = was.getOrDefault(e.getKey(), new long[2]);
            diff.add(Map.entry(e.getKey(), new long[]{e.getValue()[0] - old[0], e.getValue()[1] - old[1]}));
        }
        diff.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        long total = 0;
        for (Map.Entry<String, long[]> e : diff) {
            total += e.getValue()[1];
        }
        s.append(String.format(Locale.ROOT, "%nclass histogram difference: %,d B, %.1f B per stream%n%n", total,
                (double) total / streams));
        s.append("| class | instances per stream | B per stream |\n|---|---:|---:|\n");
        long shown = 0;
        for (int i = 0; i < Math.min(TOP_CLASSES, diff.size()); i++) {
            long[] d = diff.get(i).getValue();
            shown += d[1];
            s.append(String.format(Locale.ROOT, "| `%s` | %.3f | %.1f |%n", diff.get(i).getKey(),
                    (double) d[0] / streams, (double) d[1] / streams));
        }
        s.append(String.format(Locale.ROOT, "| (the rest) | | %.1f |%n", (double) (total - shown) / streams));
        return s.toString();
    }

    /** Used heap after full collections, once two readings in a row agree within 0.1%. */
    private static long liveHeap() throws InterruptedException {
        long last = -1;
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(100); // lets reference processing and the loops settle between collections
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (last > 0 && Math.abs(used - last) <= last / 1000) {
                return used;
            }
            last = used;
        }
        return last;
    }

    private static long[] direct() {
        long jdk = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                jdk = pool.getMemoryUsed();
            }
        }
        long channels = ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider
                ? ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory() : -1;
        return new long[]{jdk, PooledByteBufAllocator.DEFAULT.pinnedDirectMemory(), channels};
    }

    /** {@code GC.class_histogram} of this JVM (live objects: it collects first), as jcmd prints it. */
    private static String histogram() throws Exception {
        return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[]{new String[0]}, new String[]{String[].class.getName()});
    }

    /** Class name to {instances, bytes}, from a histogram's rows ({@code num: #instances #bytes class}). */
    private static Map<String, long[]> parse(String histogram) {
        Map<String, long[]> rows = new HashMap<>();
        for (String line : histogram.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                rows.merge(f[3], new long[]{Long.parseLong(f[1]), Long.parseLong(f[2])},
                        (a, b) -> new long[]{a[0] + b[0], a[1] + b[1]});
            }
        }
        return rows;
    }
}
