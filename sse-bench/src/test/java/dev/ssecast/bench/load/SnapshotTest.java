package dev.ssecast.bench.load;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Merging what nodes report: counts add up, and merged percentiles are those of all the values together. */
class SnapshotTest {

    @Test
    void mergedPercentilesAreThoseOfAllValues() {
        Histogram a = Snapshot.newHistogram();
        Histogram b = Snapshot.newHistogram();
        Histogram all = Snapshot.newHistogram();
        for (int v = 1; v <= 900; v++) {
            a.recordValue(v * 10L);
            all.recordValue(v * 10L);
        }
        for (int v = 1; v <= 100; v++) {
            b.recordValue(100_000L + v);
            all.recordValue(100_000L + v);
        }
        Snapshot merged = Snapshot.merge(List.of(new Snapshot(2, 1, 0, 900, 9000, 900, 3, 5, Snapshot.encode(a)),
                new Snapshot(3, 0, 1, 100, 1000, 100, 4, 6, Snapshot.encode(b))));

        assertThat(merged.open()).isEqualTo(4);
        assertThat(merged.failed()).isEqualTo(1);
        assertThat(merged.deliveries()).isEqualTo(1000);
        assertThat(merged.outOfOrder()).isEqualTo(7);
        assertThat(merged.gaps()).isEqualTo(11);
        Histogram h = merged.histogram();
        assertThat(h.getTotalCount()).isEqualTo(1000);
        for (double p : new double[] {50, 90, 95, 99, 99.9, 100}) {
            assertThat(h.getValueAtPercentile(p)).as("p%s", p).isEqualTo(all.getValueAtPercentile(p));
        }
        assertThat(h.getValueAtPercentile(90)).isLessThan(10_000);
        assertThat(h.getValueAtPercentile(95)).isGreaterThan(100_000);
    }

    @Test
    void aHistogramSurvivesItsTextForm() {
        Histogram h = Snapshot.newHistogram();
        h.recordValue(1);
        h.recordValue(Tally.MAX_LATENCY_MICROS);
        assertThat(Snapshot.decode(Snapshot.encode(h))).isEqualTo(h);
    }
}
