package dev.ssecast.bench.jmh;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The Markdown tables: per-delivery figures derived from JMH's per-tick ones, and the same-run ratio. */
class JmhTableTest {
    private static JsonObject fanOut(String strategy, double deliveries, double bytesPerTick) {
        return new Gson().fromJson("{\"benchmark\":\"dev.ssecast.bench.jmh.FanOutBenchmark.fanOut\","
                + "\"params\":{\"connections\":\"1000\",\"strategy\":\"" + strategy + "\",\"allocator\":\"adaptive\"},"
                + "\"primaryMetric\":{\"score\":" + deliveries / 1000 + ",\"scoreError\":1.0},"
                + "\"secondaryMetrics\":{\"deliveries\":{\"score\":" + deliveries + ",\"scoreError\":1000.0},"
                + "\"drops\":{\"score\":0.0,\"scoreError\":\"NaN\"},"
                + "\"gc.alloc.rate.norm\":{\"score\":" + bytesPerTick + ",\"scoreError\":0.0}}}", JsonObject.class);
    }

    @Test
    void derivesNanosAndBytesPerDeliveryAndTheRatio() {
        String table = JmhTable.fanOut(List.of(fanOut("ssecast", 5_000_000, 8000),
                fanOut("channelGroup", 1_000_000, 200_000)));
        assertThat(table).contains("| 1,000 | adaptive | ssecast | 5,000,000 ± 1,000 | 200 | 8.0 | 0 |  |")
                .contains("| 1,000 | adaptive | channelGroup | 1,000,000 ± 1,000 | 1000 | 200.0 | 0 | 5.0 |");
    }
}
