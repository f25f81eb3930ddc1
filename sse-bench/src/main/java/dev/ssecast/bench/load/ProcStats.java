package dev.ssecast.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What Linux says about a process and the kernel's sockets, read from {@code /proc}. Stateless; a missing file or
 * process reads as -1.
 */
final class ProcStats {
    /** Clock ticks per second of {@code /proc/PID/stat}'s times; 100 on every Linux this runs on. */
    private static final long CLOCK_TICKS = 100;
    private static final long PAGE = 4096;

    private ProcStats() {
    }

    /** Summed resident set size of {@code pids} in bytes; -1 when there are none or one cannot be read. */
    static long rssBytes(List<Long> pids) {
        return sum(pids, ProcStats::rssBytes);
    }

    /** Summed CPU time of {@code pids}, user plus system, in nanoseconds; -1 when one cannot be read. */
    static long cpuNanos(List<Long> pids) {
        return sum(pids, ProcStats::cpuNanos);
    }

    private static long sum(List<Long> pids, java.util.function.LongUnaryOperator read) {
        if (pids == null || pids.isEmpty()) {
            return -1;
        }
        long total = 0;
        for (long pid : pids) {
            long value = read.applyAsLong(pid);
            if (value < 0) {
                return -1;
            }
            total += value;
        }
        return total;
    }

    /**
     * Java heap in use in JVM {@code pid} just after a full collection, in bytes, by {@code jcmd PID GC.run} then
     * {@code GC.heap_info}; -1 when that fails (not a JVM, or no jcmd).
     */
    static long heapUsedAfterGc(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            run(jcmd.toString(), Long.toString(pid), "GC.run");
            long used = 0;
            boolean found = false;
            for (String line : run(jcmd.toString(), Long.toString(pid), "GC.heap_info")) {
                if (line.contains("Metaspace") || line.contains("class space")) {
                    continue;
                }
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(line);
                if (m.find()) {
                    used += Long.parseLong(m.group(1)) * 1024;
                    found = true;
                }
            }
            return found ? used : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static List<String> run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8)).lines().toList();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** Resident set size of {@code pid} in bytes ({@code VmRSS}). */
    static long rssBytes(long pid) {
        for (String line : lines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    /** CPU time {@code pid} has used, user plus system, in nanoseconds. */
    static long cpuNanos(long pid) {
        List<String> stat = lines(Path.of("/proc", Long.toString(pid), "stat"));
        if (stat.isEmpty()) {
            return -1;
        }
        String line = stat.get(0);
        String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
        return ticks * (1_000_000_000L / CLOCK_TICKS);
    }

    /**
     * Memory of all TCP sockets in bytes: {@code /proc/net/sockstat}'s {@code TCP: ... mem} pages, the buffers the
     * kernel holds for them (both ends of a loopback connection count).
     */
    static long tcpSocketBytes() {
        for (String line : lines(Path.of("/proc/net/sockstat"))) {
            if (line.startsWith("TCP:")) {
                String[] fields = line.split("\\s+");
                for (int i = 1; i + 1 < fields.length; i++) {
                    if (fields[i].equals("mem")) {
                        return Long.parseLong(fields[i + 1]) * PAGE;
                    }
                }
            }
        }
        return -1;
    }

    /** The kernel's slab memory in bytes ({@code /proc/meminfo}'s {@code Slab}): socket, inode and file objects. */
    static long slabBytes() {
        for (String line : lines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("Slab:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    private static List<String> lines(Path path) {
        try {
            return Files.readAllLines(path);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
