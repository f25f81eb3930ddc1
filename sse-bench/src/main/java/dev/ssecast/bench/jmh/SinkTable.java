package dev.ssecast.bench.jmh;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The table of {@link SinkFanOutBenchmark} runs, merged: the rows of every file with the same parameters are one
 * contender, its samples the measurement iterations of all of them. Per delivery: deliveries/s (mean of the
 * samples), ns (1e9 / that: wall time on all loops), bytes allocated ({@code gc.alloc.rate.norm} / connections),
 * bytes written (the sinks' count / deliveries), and ssecast's deliveries/s divided by this contender's, with a
 * 99.9% percentile interval from a seeded bootstrap over both sets of samples. Stateless.
 */
final class SinkTable {
    static final int RESAMPLES = 10_000;
    static final long SEED = 20261202L;
    static final double LEVEL = 0.999;
    private static final String BENCHMARK = ".SinkFanOutBenchmark.fanOut";

    private SinkTable() {
    }

    /** The Markdown table, or an empty string when no row is a sink fan-out. */
    static String table(List<JsonObject> rows) {
        Map<String, List<JsonObject>> merged = new LinkedHashMap<>();
        for (JsonObject row : rows) {
            if (row.get("benchmark").getAsString().endsWith(BENCHMARK)) {
                merged.computeIfAbsent(key(row, param(row, "strategy")), k -> new ArrayList<>()).add(row);
            }
        }
        if (merged.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder("| connections | allocator | leak detection | gather | strategy "
                + "| runs × samples | deliveries/s | ns/delivery | B allocated/delivery | B written/delivery | short B "
                + "| ssecast ÷ this [99.9%] |\n|---:|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<JsonObject>> contender : merged.entrySet()) {
            List<JsonObject> runs = contender.getValue();
            JsonObject first = runs.get(0);
            String strategy = param(first, "strategy");
            double connections = Double.parseDouble(param(first, "connections"));
            double[] samples = samples(runs, "deliveries");
            double rate = mean(samples);
            double alloc = meanScore(runs, "gc.alloc.rate.norm") / connections;
            double written = meanScore(runs, "sinkBytes") / meanScore(runs, "deliveries");
            String ratio = "";
            List<JsonObject> ssecast = merged.get(key(first, "ssecast"));
            if (!strategy.equals("ssecast") && ssecast != null) {
                double[] base = samples(ssecast, "deliveries");
                double[] ci = ratioInterval(base, samples, RESAMPLES, SEED, LEVEL);
                ratio = String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", mean(base) / rate, ci[0], ci[1]);
            }
            out.append(String.format(Locale.ROOT, "| %,.0f | %s | %s | %s | %s | %d × %d | %,.0f | %.1f | %s | %.1f "
                    + "| %.0f | %s |\n", connections, param(first, "allocator"), param(first, "leakDetection"),
                    param(first, "gather").isEmpty() ? "nio" : param(first, "gather"), strategy,
                    runs.size(), samples.length, rate, 1e9 / rate,
                    Double.isNaN(alloc) ? "n/a" : String.format(Locale.ROOT, "%.1f", alloc), written,
                    meanScore(runs, "shortBytes"), ratio));
        }
        return out.append('\n').toString();
    }

    /**
     * The {@code level} percentile interval of mean(a) / mean(b), each resampled with replacement on its own,
     * {@code resamples} times, from a generator seeded with {@code seed}: the same inputs give the same interval.
     */
    static double[] ratioInterval(double[] a, double[] b, int resamples, long seed, double level) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] ratios = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            ratios[r] = resampledMean(a, random) / resampledMean(b, random);
        }
        Arrays.sort(ratios);
        double tail = (1 - level) / 2;
        int low = (int) Math.floor(tail * (resamples - 1));
        int high = (int) Math.ceil((1 - tail) * (resamples - 1));
        return new double[] {ratios[low], ratios[high]};
    }

    private static double resampledMean(double[] xs, SplittableRandom random) {
        double sum = 0;
        for (int i = 0; i < xs.length; i++) {
            sum += xs[random.nextInt(xs.length)];
        }
        return sum / xs.length;
    }

    /** Every iteration's value of a secondary metric in all the runs, forks in order. */
    static double[] samples(List<JsonObject> runs, String metric) {
        List<Double> all = new ArrayList<>();
        for (JsonObject run : runs) {
            JsonObject secondary = run.getAsJsonObject("secondaryMetrics");
            if (secondary == null || !secondary.has(metric)) {
                continue;
            }
            for (JsonElement fork : secondary.getAsJsonObject(metric).getAsJsonArray("rawData")) {
                for (JsonElement sample : (JsonArray) fork) {
                    all.add(sample.getAsDouble());
                }
            }
        }
        return all.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double mean(double[] xs) {
        return Arrays.stream(xs).average().orElse(Double.NaN);
    }

    private static double meanScore(List<JsonObject> runs, String metric) {
        double sum = 0;
        for (JsonObject run : runs) {
            JsonObject secondary = run.getAsJsonObject("secondaryMetrics");
            if (secondary == null || !secondary.has(metric)) {
                return Double.NaN;
            }
            sum += secondary.getAsJsonObject(metric).get("score").getAsDouble();
        }
        return sum / runs.size();
    }

    private static String key(JsonObject row, String strategy) {
        return param(row, "connections") + "/" + param(row, "allocator") + "/" + param(row, "leakDetection") + "/"
                + param(row, "gather") + "/" + param(row, "variant") + "/" + strategy;
    }

    private static String param(JsonObject row, String name) {
        JsonObject params = row.getAsJsonObject("params");
        return params == null || !params.has(name) ? "" : params.get(name).getAsString();
    }
}
