package dev.ssecast.bench.jmh;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ssecast-bench jmh-table results.json}: the Markdown tables of docs/benchmarks.md from a JMH JSON result
 * ({@code -rf json}), with the per-delivery and per-event figures JMH cannot compute itself and the fan-out ratios
 * of the same run.
 */
@Command(name = "jmh-table", mixinStandardHelpOptions = true,
        description = "Print Markdown tables from JMH JSON results (-rf json), with per-delivery figures and ratios.")
public final class JmhTable implements Callable<Integer> {
    @Parameters(arity = "1..*", description = "JMH JSON result files")
    List<Path> results;

    @Override
    public Integer call() throws Exception {
        List<JsonObject> rows = new ArrayList<>();
        for (Path file : results) {
            for (JsonElement row : new Gson().fromJson(Files.readString(file), JsonArray.class)) {
                rows.add(row.getAsJsonObject());
            }
        }
        if (AbTable.applies(rows)) {
            System.out.print(AbTable.table(rows)); // an A/B rotation: its rows are compared with each other only
            return 0;
        }
        System.out.print(fanOut(rows));
        System.out.print(SinkTable.table(rows));
        System.out.print(tick(rows));
        System.out.print(encoder(rows));
        return 0;
    }

    static String fanOut(List<JsonObject> rows) {
        StringBuilder out = new StringBuilder("| connections | allocator | strategy | deliveries/s | ns/delivery "
                + "| B/delivery | drops | ssecast is x faster |\n|---:|---|---|---:|---:|---:|---:|---:|\n");
        Map<String, Double> rates = new HashMap<>();
        List<JsonObject> fanOut = new ArrayList<>();
        for (JsonObject row : rows) {
            if (row.get("benchmark").getAsString().endsWith(".FanOutBenchmark.fanOut")) {
                fanOut.add(row);
                rates.put(key(row, param(row, "strategy")), secondary(row, "deliveries")[0]);
            }
        }
        if (fanOut.isEmpty()) {
            return "";
        }
        for (JsonObject row : fanOut) {
            double[] deliveries = secondary(row, "deliveries");
            double connections = Double.parseDouble(param(row, "connections"));
            double bytes = secondary(row, "gc.alloc.rate.norm")[0] / connections;
            String strategy = param(row, "strategy");
            Double ssecast = rates.get(key(row, "ssecast"));
            String ratio = strategy.equals("ssecast") || ssecast == null ? ""
                    : String.format(Locale.ROOT, "%.1f", ssecast / deliveries[0]);
            out.append(String.format(Locale.ROOT, "| %,.0f | %s | %s | %,.0f ± %,.0f | %.0f | %s | %.0f | %s |\n",
                    connections, param(row, "allocator"), strategy, deliveries[0], deliveries[1], 1e9 / deliveries[0],
                    Double.isNaN(bytes) ? "n/a" : String.format(Locale.ROOT, "%.1f", bytes),
                    secondary(row, "drops")[0], ratio));
        }
        return out.append('\n').toString();
    }

    static String tick(List<JsonObject> rows) {
        StringBuilder out = new StringBuilder("| events | audiences | ns/tick | ns/event | B/tick | B/event |\n"
                + "|---:|---:|---:|---:|---:|---:|\n");
        boolean any = false;
        for (JsonObject row : rows) {
            if (row.get("benchmark").getAsString().endsWith("TickBenchmark.tick")) {
                any = true;
                double events = Double.parseDouble(param(row, "events"));
                double[] ns = primary(row);
                double bytes = secondary(row, "gc.alloc.rate.norm")[0];
                out.append(String.format(Locale.ROOT, "| %.0f | %s | %,.0f ± %,.0f | %,.0f | %,.0f | %,.0f |\n", events,
                        param(row, "audiences"), ns[0], ns[1], ns[0] / events, bytes, bytes / events));
            }
        }
        return any ? out.append('\n').toString() : "";
    }

    static String encoder(List<JsonObject> rows) {
        StringBuilder out = new StringBuilder("| event | ns/event | B/event |\n|---|---:|---:|\n");
        boolean any = false;
        for (JsonObject row : rows) {
            if (row.get("benchmark").getAsString().endsWith("EncoderBenchmark.encode")) {
                any = true;
                double[] ns = primary(row);
                out.append(String.format(Locale.ROOT, "| %s | %.1f ± %.1f | %.2f |\n", param(row, "shape"), ns[0],
                        ns[1], secondary(row, "gc.alloc.rate.norm")[0]));
            }
        }
        return any ? out.append('\n').toString() : "";
    }

    private static String key(JsonObject row, String strategy) {
        return param(row, "connections") + "/" + param(row, "allocator") + "/" + strategy;
    }

    private static String param(JsonObject row, String name) {
        JsonObject params = row.getAsJsonObject("params");
        return params == null || !params.has(name) ? "" : params.get(name).getAsString();
    }

    private static double[] primary(JsonObject row) {
        JsonObject metric = row.getAsJsonObject("primaryMetric");
        return new double[] {metric.get("score").getAsDouble(), error(metric)};
    }

    /** Score and error of a secondary metric; NaN when the run did not record it (no {@code -prof gc}). */
    private static double[] secondary(JsonObject row, String name) {
        JsonObject all = row.getAsJsonObject("secondaryMetrics");
        if (all == null || !all.has(name)) {
            return new double[] {Double.NaN, Double.NaN};
        }
        JsonObject metric = all.getAsJsonObject(name);
        return new double[] {metric.get("score").getAsDouble(), error(metric)};
    }

    private static double error(JsonObject metric) {
        JsonElement error = metric.get("scoreError");
        return error == null || !error.isJsonPrimitive() || !error.getAsJsonPrimitive().isNumber() ? Double.NaN
                : error.getAsDouble();
    }
}
