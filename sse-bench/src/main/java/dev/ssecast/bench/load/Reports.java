package dev.ssecast.bench.load;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** Builds a run's record with where and how it ran, and writes it as JSON and HTML. Stateless. */
final class Reports {
    static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private Reports() {
    }

    static Results.Run run(TargetOptions target, String kind, int processes, Results.Slo slo,
                           List<Results.Step> steps, List<Results.Memory> memory, List<Results.Second> seconds,
                           Accounting accounting, Results.Step capacity) {
        String command = "ssecast-bench " + kind + " " + String.join(" ",
                ProcessHandle.current().info().arguments().map(args -> {
                    int at = List.of(args).indexOf(kind);
                    return at < 0 ? List.of(args) : List.of(args).subList(at + 1, args.length);
                }).orElse(List.of()));
        return new Results.Run(target.label, OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)
                .toString(), machine(), System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                command, target.url.toString(), target.publishUrl.toString(), processes, slo, steps, memory, seconds,
                accounting, capacity);
    }

    /** Cores, memory, OS and kernel of this machine. */
    static String machine() {
        long memKb = 0;
        String os = "Linux";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    os = line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
            os += ", kernel " + Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException | RuntimeException e) {
            // what could be read is enough
        }
        return String.format("%d cores, %.1f GiB, %s", Runtime.getRuntime().availableProcessors(),
                memKb / 1024.0 / 1024.0, os);
    }

    /** Writes the run to the JSON and HTML files the options name, if any. */
    static void write(TargetOptions target, Results.Run run) throws IOException {
        if (target.json != null) {
            Files.writeString(target.json, GSON.toJson(run));
            System.out.println("wrote " + target.json);
        }
        if (target.html != null) {
            Files.writeString(target.html, HtmlReport.render(List.of(run)));
            System.out.println("wrote " + target.html);
        }
    }

    /** Reads a run written by {@link #write}. */
    static Results.Run read(Path json) throws IOException {
        return GSON.fromJson(Files.readString(json), Results.Run.class);
    }
}
