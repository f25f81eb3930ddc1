package dev.ssecast.bench.load;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * {@code ssecast-bench idle-table OUT}: the Markdown tables of compare.sh's idle and syscalls phases, a row per
 * server. From each idle run's JSON: server CPU per delivery at 1 event/s, memory per idle connection (RSS, then the
 * kernel's TCP buffers and slab apart) and latency. From each {@code scripts/syscalls.sh} sample: write calls and
 * bytes per delivery, wake-ups per second, GC, and the user and system CPU under the tracer, each divided by the
 * window's deliveries (its events times the open connections, when nothing was lost).
 */
@Command(name = "idle-table", mixinStandardHelpOptions = true,
        description = "Print Markdown tables of compare.sh's idle runs (*-idle.json) and syscalls samples "
                + "(*-syscalls.properties), a row per server.")
final class IdleTableCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", description = "*-idle.json and *-syscalls.properties files, or directories of them")
    List<Path> inputs;

    @Override
    public Integer call() throws IOException {
        System.out.print(table(inputs));
        return 0;
    }

    /** Reads the runs and samples among {@code inputs}; a label seen twice keeps its last file. */
    static String table(List<Path> inputs) throws IOException {
        Map<String, Results.Run> runs = new LinkedHashMap<>();
        Map<String, Properties> samples = new LinkedHashMap<>();
        for (Path file : files(inputs)) {
            String name = file.getFileName().toString();
            if (name.endsWith("-idle.json")) {
                Results.Run run = Reports.read(file);
                runs.put(run.label(), run);
            } else if (name.endsWith("-syscalls.properties")) {
                Properties sample = new Properties();
                try (Reader in = Files.newBufferedReader(file)) {
                    sample.load(in);
                }
                samples.put(sample.getProperty("label", name), sample);
            }
        }
        return render(runs, samples);
    }

    /** The files named, a directory's in name order. */
    static List<Path> files(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                try (Stream<Path> listing = Files.list(input)) {
                    listing.filter(Files::isRegularFile).sorted().forEach(files::add);
                }
            } else {
                files.add(input);
            }
        }
        return files;
    }

    /** Both tables: the summary, then where the CPU goes; a server without a sample or a run shows dashes. */
    static String render(Map<String, Results.Run> runs, Map<String, Properties> samples) {
        List<String> labels = new ArrayList<>(runs.keySet());
        samples.keySet().stream().filter(l -> !labels.contains(l)).forEach(labels::add);
        StringBuilder out = new StringBuilder("| server | connections | server µs CPU/delivery | RSS KB/conn "
                + "| kernel TCP buffers KB/conn | kernel slab KB/conn (both ends) | p50 ms | p99 ms | lost "
                + "| writes/delivery | bytes/write | GC pauses (ms) | loop wake-ups/s |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String label : labels) {
            Results.Run run = runs.get(label);
            Sample s = Sample.of(samples.get(label));
            Results.Step step = run == null || run.steps().isEmpty() ? null : run.steps().get(0);
            Results.Memory memory = run == null || run.memory().isEmpty() ? null
                    : run.memory().get(run.memory().size() - 1);
            String connections = memory != null ? num(memory.connections(), 0) : s == null ? "–"
                    : num(s.connections, 0);
            String gc = s == null || Double.isNaN(s.get("gc.pauses")) ? "–"
                    : String.format(Locale.ROOT, "%.0f (%.1f)", s.get("gc.pauses"), 1000 * s.get("gc.seconds"));
            row(out, label, connections,
                    step == null ? "–" : num(step.serverCpuMicrosPerDelivery(), 2),
                    memory == null ? "–" : num(memory.rssPerConnection() / 1024, 2),
                    memory == null ? "–" : num(memory.tcpPerConnection() / 1024, 2),
                    memory == null ? "–" : num(memory.slabPerConnection() / 1024, 2),
                    step == null ? "–" : num(step.latency().p50(), 1),
                    step == null ? "–" : num(step.latency().p99(), 1),
                    run == null || run.accounting() == null ? "–" : Long.toString(run.accounting().lost()),
                    s == null ? "–" : num(s.writes() / s.deliveries(), 3),
                    s == null ? "–" : num(s.get("tcp.bytes_sent") / s.writes(), 0),
                    gc,
                    s == null ? "–" : num(s.loopWakeUps() / s.seconds, 1));
        }
        out.append('\n');
        if (!samples.isEmpty()) {
            out.append(whereTheCpuGoes(labels, samples));
        }
        return out.toString();
    }

    private static String whereTheCpuGoes(List<String> labels, Map<String, Properties> samples) {
        StringBuilder out = new StringBuilder("| server (syscalls sample) | deliveries | tracer | user µs/delivery "
                + "| system µs/delivery | system calls/delivery | write | writev | sendto | sendmsg | io_uring sends "
                + "| bytes/delivery | epoll returns/s | io_uring_enter/s | futex/s | voluntary switches/s "
                + "| involuntary/s |\n"
                + "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        StringBuilder threads = new StringBuilder();
        for (String label : labels) {
            Sample s = Sample.of(samples.get(label));
            if (s == null) {
                continue;
            }
            double d = s.deliveries();
            double tick = 1e6 / s.get("cpu.ticks_per_second");
            String deliveries = num(d, 0) + (s.lost > 0 ? " (" + s.lost + " lost: figures too low)" : "");
            double epoll = s.get("sys.epoll_wait") + s.get("sys.epoll_pwait") + s.get("sys.epoll_pwait2");
            row(out, label, deliveries, s.props.getProperty("tracer", "?"),
                    num(s.get("cpu.user_ticks") * tick / d, 2), num(s.get("cpu.system_ticks") * tick / d, 2),
                    num(s.get("sys.total") / d, 3), num(s.get("sys.write") / d, 3), num(s.get("sys.writev") / d, 3),
                    num(s.get("sys.sendto") / d, 3), num(s.get("sys.sendmsg") / d, 3),
                    num(s.get("uring.sends") / d, 3), num(s.get("tcp.bytes_sent") / d, 1),
                    num(epoll / s.seconds, 1), num(s.get("sys.io_uring_enter") / s.seconds, 1),
                    num(s.get("sys.futex") / s.seconds, 1), num(s.get("ctx.voluntary") / s.seconds, 1),
                    num(s.get("ctx.nonvoluntary") / s.seconds, 1));
            List<String> names = new ArrayList<>();
            for (String key : s.props.stringPropertyNames()) {
                if (key.startsWith("thread.") && key.endsWith(".voluntary")) {
                    names.add(key.substring("thread.".length(), key.length() - ".voluntary".length()));
                }
            }
            threads.append("- ").append(label).append(", CPU µs/delivery by thread: ")
                    .append(busiest(names, name -> s.get("thread." + name + ".cpu_ticks") * tick / d, 2))
                    .append("; voluntary context switches/s by thread: ")
                    .append(busiest(names, name -> s.get("thread." + name + ".voluntary") / s.seconds, 1))
                    .append('\n');
        }
        return out.append('\n').append(threads).append('\n').toString();
    }

    /** The threads by {@code figure}, highest first, those it could not read (NaN) left out. */
    private static String busiest(List<String> names, ToDoubleFunction<String> figure, int decimals) {
        List<String> sorted = new ArrayList<>(names);
        sorted.removeIf(name -> Double.isNaN(figure.applyAsDouble(name)));
        sorted.sort(Comparator.comparingDouble(figure).reversed().thenComparing(Comparator.naturalOrder()));
        List<String> parts = new ArrayList<>();
        for (String name : sorted) {
            parts.add(name + " " + num(figure.applyAsDouble(name), decimals));
        }
        return String.join(", ", parts);
    }

    private static void row(StringBuilder out, String... cells) {
        out.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }

    /** A figure, or a dash when there is none (not measured, nothing to divide by). */
    private static String num(double value, int decimals) {
        if (Double.isNaN(value) || Double.isInfinite(value) || value < 0) {
            return "–";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }

    /** One syscalls.sh sample: its raw counts, and the window's deliveries they are divided by. */
    private static final class Sample {
        final Properties props;
        final long connections;
        final long events;
        final double seconds;
        final long lost;

        private Sample(Properties props) {
            this.props = props;
            this.connections = (long) get(props, "connections");
            this.events = (long) get(props, "events");
            this.seconds = get(props, "seconds");
            this.lost = (long) get(props, "lost"); // NaN (not known) reads as 0
        }

        static Sample of(Properties props) {
            return props == null ? null : new Sample(props);
        }

        /**
         * A count; 0 when the tracer had no such event (an older kernel), NaN when it could not count it (perf's
         * -1) and for the GC of a server that is no JVM.
         */
        double get(String key) {
            return get(props, key);
        }

        private static double get(Properties props, String key) {
            String value = props.getProperty(key, "").strip();
            if (value.isEmpty()) {
                return key.startsWith("gc.") ? Double.NaN : 0;
            }
            try {
                double parsed = Double.parseDouble(value);
                return parsed < 0 ? Double.NaN : parsed;
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }

        double deliveries() {
            return (double) connections * events;
        }

        /** Socket writes: the write-family system calls and the io_uring write and send submissions. */
        double writes() {
            return get("sys.write") + get("sys.writev") + get("sys.sendto") + get("sys.sendmsg")
                    + get("sys.sendmmsg") + get("uring.sends");
        }

        /** Returns from the event loops' waits: epoll_wait in its three forms, or io_uring_enter. */
        double loopWakeUps() {
            return get("sys.epoll_wait") + get("sys.epoll_pwait") + get("sys.epoll_pwait2")
                    + get("sys.io_uring_enter");
        }
    }
}
