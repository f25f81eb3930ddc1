package dev.ssecast.bench.jmh;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The A/B table: variants compared per parameter set, with the verdict the keep rule reads. */
class AbTableTest {
    private static JsonObject run(String variant, String connections, double... samples) {
        double mean = Arrays.stream(samples).average().orElseThrow();
        String raw = Arrays.stream(samples).mapToObj(Double::toString).collect(Collectors.joining(","));
        return new Gson().fromJson("{\"benchmark\":\"dev.ssecast.bench.jmh.SinkFanOutBenchmark.fanOut\","
                + "\"params\":{\"variant\":\"" + variant + "\",\"connections\":\"" + connections + "\","
                + "\"strategy\":\"ssecast\",\"allocator\":\"pooled\",\"leakDetection\":\"disabled\",\"threads\":\"2\"},"
                + "\"primaryMetric\":{\"score\":1.0,\"scoreError\":1.0},"
                + "\"secondaryMetrics\":{\"deliveries\":{\"score\":" + mean + ",\"rawData\":[[" + raw + "]]},"
                + "\"gc.alloc.rate.norm\":{\"score\":2000.0,\"rawData\":[[2000.0]]}}}", JsonObject.class);
    }

    @Test
    void comparesBWithAPerParameterSetAndSaysWhichWayTheIntervalLies() {
        List<JsonObject> rows = List.of(
                run("A", "1000", 1e6, 1.1e6, 0.9e6), run("B", "1000", 2e6, 2.1e6, 1.9e6),
                run("A", "10000", 1e6, 1.1e6, 0.9e6), run("B", "10000", 1.05e6, 0.95e6, 1e6),
                run("A", "100000", 2e6, 2.1e6, 1.9e6), run("B", "100000", 1e6, 1.1e6, 0.9e6));
        assertThat(AbTable.applies(rows)).isTrue();
        String table = AbTable.table(rows);
        assertThat(table.lines().filter(line -> line.startsWith("| SinkFanOutBenchmark.fanOut"))).hasSize(3);
        assertThat(table).contains("connections=1000, strategy=ssecast, allocator=pooled, leakDetection=disabled")
                .doesNotContain("variant=");
        assertThat(line(table, "connections=1000,")).contains("| 1,000,000 | 2,000,000 |").contains("| 2.000 [")
                .endsWith("| faster |");
        assertThat(line(table, "connections=10000,")).endsWith("| within |");
        assertThat(line(table, "connections=100000,")).contains("| 0.500 [").endsWith("| slower |");
        assertThat(line(table, "connections=100000,")).contains("| 1 × 3, 1 × 3 |").contains("| 0.0 | 0.0 |");
    }

    @Test
    void filesWithoutVariantsAreNotAnAbRotation() {
        JsonObject plain = run("A", "1000", 1, 2);
        plain.getAsJsonObject("params").remove("variant");
        assertThat(AbTable.applies(List.of(plain))).isFalse();
        assertThat(AbTable.table(List.of(plain))).isEmpty();
    }

    private static String line(String table, String params) {
        return table.lines().filter(l -> l.contains(params)).findFirst().orElseThrow();
    }
}
