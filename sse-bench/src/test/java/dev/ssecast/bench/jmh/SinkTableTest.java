package dev.ssecast.bench.jmh;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The sink table: rounds merged per contender, per-delivery figures, and the bootstrap interval of each ratio. */
class SinkTableTest {
    private static JsonObject run(String strategy, double... samples) {
        double mean = Arrays.stream(samples).average().orElseThrow();
        String raw = Arrays.stream(samples).mapToObj(Double::toString).collect(Collectors.joining(","));
        return new Gson().fromJson("{\"benchmark\":\"dev.ssecast.bench.jmh.SinkFanOutBenchmark.fanOut\","
                + "\"params\":{\"connections\":\"1000\",\"strategy\":\"" + strategy + "\",\"allocator\":\"pooled\","
                + "\"leakDetection\":\"disabled\",\"threads\":\"2\"},"
                + "\"primaryMetric\":{\"score\":" + mean / 1000 + ",\"scoreError\":1.0},"
                + "\"secondaryMetrics\":{\"deliveries\":{\"score\":" + mean + ",\"rawData\":[[" + raw + "]]},"
                + "\"sinkBytes\":{\"score\":" + mean * 100 + ",\"rawData\":[[1.0]]},"
                + "\"shortBytes\":{\"score\":0.0,\"rawData\":[[0.0]]},"
                + "\"gc.alloc.rate.norm\":{\"score\":24000.0,\"rawData\":[[24000.0]]}}}", JsonObject.class);
    }

    @Test
    void theIntervalOfAKnownRatioContainsItAndHasWidth() {
        double[] fast = {9_000_000, 10_000_000, 11_000_000, 10_500_000, 9_500_000, 10_000_000};
        double[] slow = {4_500_000, 5_000_000, 5_500_000, 5_250_000, 4_750_000, 5_000_000};
        double[] ci = SinkTable.ratioInterval(fast, slow, SinkTable.RESAMPLES, SinkTable.SEED, SinkTable.LEVEL);
        assertThat(ci[0]).isLessThan(2.0).isGreaterThan(1.5);
        assertThat(ci[1]).isGreaterThan(2.0).isLessThan(2.6);
        assertThat(SinkTable.ratioInterval(fast, slow, SinkTable.RESAMPLES, SinkTable.SEED, SinkTable.LEVEL))
                .as("seeded: the same interval again").containsExactly(ci[0], ci[1]);
    }

    @Test
    void identicalSamplesGiveTheirRatioExactly() {
        double[] ci = SinkTable.ratioInterval(new double[] {6, 6, 6}, new double[] {2, 2, 2}, 1000, 1, 0.999);
        assertThat(ci[0]).isCloseTo(3.0, within(1e-12));
        assertThat(ci[1]).isCloseTo(3.0, within(1e-12));
    }

    @Test
    void mergesRoundsOfOneContenderAndDerivesPerDeliveryFigures() {
        List<JsonObject> rows = List.of(
                run("ssecast", 9_000_000, 10_000_000, 11_000_000),
                run("naive", 4_500_000, 5_000_000, 5_500_000),
                run("ssecast", 10_500_000, 9_500_000, 10_000_000),
                run("naive", 5_250_000, 4_750_000, 5_000_000));
        assertThat(SinkTable.samples(rows.subList(0, 1), "deliveries")).containsExactly(9e6, 10e6, 11e6);
        String table = SinkTable.table(rows);
        assertThat(table)
                .contains("| 1,000 | pooled | disabled | nio | ssecast | 2 × 6 | 10,000,000 | 100.0 | 24.0 | 100.0 | 0 |  |")
                .contains("| 1,000 | pooled | disabled | nio | naive | 2 × 6 | 5,000,000 | 200.0 | 24.0 | 100.0 | 0 | 2.00 [");
        assertThat(table.lines().count()).isEqualTo(2 + 2 + 1);
    }

    @Test
    void theOlderFanOutTableIgnoresSinkRows() {
        assertThat(JmhTable.fanOut(List.of(run("ssecast", 1, 2, 3)))).isEmpty();
    }
}
