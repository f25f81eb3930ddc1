package dev.ssecast.server;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionCapTest {

    @Test
    void keepsAReserveBelowTheLimitWhenUnsetAndSaysHowToRaiseIt() {
        ConnectionCap cap = ConnectionCap.decide(null, 1024);
        assertThat(cap.max()).isEqualTo(960);
        assertThat(cap.acceptLimit()).isEqualTo(992);
        assertThat(cap.warning()).contains("open-file limit is 1024", "--max-connections is unset",
                "capping connections at 960", "ulimit -n", "LimitNOFILE=");
    }

    @Test
    void capsARequestAboveWhatTheLimitAllows() {
        ConnectionCap cap = ConnectionCap.decide(100_000, 20_000);
        assertThat(cap.max()).isEqualTo(19_000);
        assertThat(cap.warning()).contains("--max-connections 100000 is above what it allows",
                "capping connections at 19000");
    }

    @Test
    void takesARequestWithinTheLimitAsItIsWithoutAWarning() {
        ConnectionCap cap = ConnectionCap.decide(5_000, 20_000);
        assertThat(cap.max()).isEqualTo(5_000);
        assertThat(cap.acceptLimit()).isEqualTo(5_500);
        assertThat(cap.warning()).isNull();
    }

    @Test
    void theReserveIsFivePercentBetween64And1024() {
        assertThat(ConnectionCap.reserve(512)).isEqualTo(64);
        assertThat(ConnectionCap.reserve(10_000)).isEqualTo(500);
        assertThat(ConnectionCap.reserve(1_048_576)).isEqualTo(1024);
    }

    @Test
    void anUnknownLimitFallsBackToTheRequestOrADefault() {
        assertThat(ConnectionCap.decide(null, -1).max()).isEqualTo(ConnectionCap.UNKNOWN_LIMIT_DEFAULT);
        assertThat(ConnectionCap.decide(42, -1).max()).isEqualTo(42);
        assertThat(ConnectionCap.decide(42, -1).warning()).isNull();
    }

    @Test
    void readsThisProcesssLimit() {
        assertThat(ConnectionCap.readOpenFileLimit()).isGreaterThan(0);
    }
}
