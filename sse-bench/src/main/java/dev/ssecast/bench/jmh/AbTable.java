package dev.ssecast.bench.jmh;

import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The A/B table of {@code sse-bench/scripts/ab-rotation.sh}: fan-out rows tagged with a {@code variant} parameter
 * ({@code A} or {@code B}), merged per benchmark and parameter set as {@link SinkTable} merges them, and B's
 * deliveries/s divided by A's with a 99.9% interval from the same seeded bootstrap. The verdict says whether the
 * whole interval lies above 1 ({@code faster}), below it ({@code slower}), or neither ({@code within}). Stateless.
 */
final class AbTable {
    private AbTable() {
    }

    /** True when any row carries a variant, i.e. the files are an A/B rotation. */
    static boolean applies(List<JsonObject> rows) {
        return rows.stream().anyMatch(row -> !param(row, "variant").isEmpty());
    }

    /** The Markdown table; an empty string when no parameter set has both variants. */
    static String table(List<JsonObject> rows) {
        Map<String, Map<String, List<JsonObject>>> groups = new LinkedHashMap<>();
        for (JsonObject row : rows) {
            String variant = param(row, "variant");
            String benchmark = row.get("benchmark").getAsString();
            if (variant.isEmpty() || !benchmark.endsWith("FanOutBenchmark.fanOut")) {
                continue;
            }
            groups.computeIfAbsent(key(row), k -> new TreeMap<>())
                    .computeIfAbsent(variant, v -> new ArrayList<>()).add(row);
        }
        StringBuilder out = new StringBuilder("| benchmark | parameters | runs × samples A, B | deliveries/s A | B "
                + "| ns/delivery A | B | B allocated/delivery A | B | B ÷ A [99.9%] | verdict |\n"
                + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        boolean any = false;
        for (Map.Entry<String, Map<String, List<JsonObject>>> group : groups.entrySet()) {
            List<JsonObject> a = group.getValue().get("A");
            List<JsonObject> b = group.getValue().get("B");
            if (a == null || b == null) {
                continue;
            }
            any = true;
            double[] sa = SinkTable.samples(a, "deliveries");
            double[] sb = SinkTable.samples(b, "deliveries");
            double ra = mean(sa);
            double rb = mean(sb);
            double[] ci = SinkTable.ratioInterval(sb, sa, SinkTable.RESAMPLES, SinkTable.SEED, SinkTable.LEVEL);
            String verdict = ci[0] > 1 ? "faster" : ci[1] < 1 ? "slower" : "within";
            double connections = Double.parseDouble(param(a.get(0), "connections"));
            out.append(String.format(Locale.ROOT, "| %s | %s | %d × %d, %d × %d | %,.0f | %,.0f | %.1f | %.1f | %s | %s "
                    + "| %.3f [%.3f, %.3f] | %s |\n", shortName(a.get(0)), parameters(a.get(0)), a.size(), sa.length,
                    b.size(), sb.length, ra, rb, 1e9 / ra, 1e9 / rb, bytes(a, connections), bytes(b, connections),
                    rb / ra, ci[0], ci[1], verdict));
        }
        return any ? out.append('\n').toString() : "";
    }

    private static String bytes(List<JsonObject> runs, double connections) {
        double sum = 0;
        for (JsonObject run : runs) {
            double[] norm = SinkTable.samples(List.of(run), "gc.alloc.rate.norm");
            if (norm.length == 0) {
                return "n/a";
            }
            sum += mean(norm);
        }
        return String.format(Locale.ROOT, "%.1f", sum / runs.size() / connections);
    }

    private static String key(JsonObject row) {
        return row.get("benchmark").getAsString() + " " + parameters(row);
    }

    /** Every parameter but the variant, in the file's order. */
    private static String parameters(JsonObject row) {
        JsonObject params = row.getAsJsonObject("params");
        StringBuilder out = new StringBuilder();
        if (params != null) {
            for (String name : params.keySet()) {
                if (!name.equals("variant")) {
                    out.append(out.length() == 0 ? "" : ", ").append(name).append('=')
                            .append(params.get(name).getAsString());
                }
            }
        }
        return out.toString();
    }

    private static String shortName(JsonObject row) {
        String benchmark = row.get("benchmark").getAsString();
        return benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
    }

    private static double mean(double[] xs) {
        double sum = 0;
        for (double x : xs) {
            sum += x;
        }
        return xs.length == 0 ? Double.NaN : sum / xs.length;
    }

    private static String param(JsonObject row, String name) {
        JsonObject params = row.getAsJsonObject("params");
        return params == null || !params.has(name) ? "" : params.get(name).getAsString();
    }
}
