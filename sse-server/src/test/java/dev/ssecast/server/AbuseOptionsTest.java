package dev.ssecast.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The options of the real client address and the abuse limits: defaults, variables, checks and their docs. */
class AbuseOptionsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        ServerOptions options = ServerOptions.parse(Map.of());
        assertThat(options.trustedProxies().isEmpty()).isTrue();
        assertThat(options.proxyProtocol()).isFalse();
        assertThat(options.maxConnectionsPerIp()).isEqualTo(256);
        assertThat(options.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.publishRate()).isZero();
        assertThat(options.metricsToken()).isNull();
        assertThat(options.maxStreams()).isEqualTo(100_000);
        assertThat(options.maxStreamsPerConnection()).isEqualTo(1000);
        assertThat(options.maxConnectionQueued()).isEqualTo(64L << 20);
    }

    @Test
    void readsTheStreamLimitsFromTheirVariables() {
        ServerOptions options = ServerOptions.parse(Map.of("SSECAST_MAX_STREAMS", "500",
                "SSECAST_MAX_STREAMS_PER_CONNECTION", "100", "SSECAST_MAX_CONNECTION_QUEUED", "1MiB"));
        assertThat(options.maxStreams()).isEqualTo(500);
        assertThat(options.maxStreamsPerConnection()).isEqualTo(100);
        assertThat(options.maxConnectionQueued()).isEqualTo(1L << 20);
    }

    @Test
    void readsEachFromItsVariable() throws Exception {
        ServerOptions options = ServerOptions.parse(Map.of(
                "SSECAST_TRUSTED_PROXIES", "10.0.0.0/8,fd00::/8", "SSECAST_PROXY_PROTOCOL", "true",
                "SSECAST_MAX_CONNECTIONS_PER_IP", "0", "SSECAST_REQUEST_TIMEOUT", "2s",
                "SSECAST_PUBLISH_RATE", "100", "SSECAST_PUBLISH_BURST", "200", "SSECAST_METRICS_TOKEN", "m3trics-t0ken-0123"));
        assertThat(options.trustedProxies().contains(InetAddress.getByName("fd00::1"))).isTrue();
        assertThat(options.proxyProtocol()).isTrue();
        assertThat(options.maxConnectionsPerIp()).isZero();
        assertThat(options.requestTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(options.publishRate()).isEqualTo(100);
        assertThat(options.publishBurst()).isEqualTo(200);
        assertThat(options.metricsToken()).isEqualTo("m3trics-t0ken-0123");
    }

    @Test
    void theBurstIsTheRateUnlessGiven() {
        assertThat(ServerOptions.parse(Map.of(), "--publish-rate", "50").publishBurst()).isEqualTo(50);
    }

    @Test
    void theHelpShowsNoMetricsToken() {
        assertThat(ServerOptions.usage(Map.of("SSECAST_METRICS_TOKEN", "very-secret"))).doesNotContain("very-secret");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--trusted-proxies        | 10.0.0.1/8  | '--trusted-proxies': '10.0.0.1/8' has bits set past its /8 prefix",
        "--trusted-proxies        | lb.internal | '--trusted-proxies': 'lb.internal' is not an IPv4 or IPv6 address",
        "--trusted-proxies        | ::/129      | '--trusted-proxies': '::/129': the prefix must be within [0, 128]",
        "--max-connections-per-ip | -1          | '--max-connections-per-ip': must be within [0, 2147483647], was -1",
        "--max-streams            | 0           | '--max-streams': must be within [1, 2147483647], was 0",
        "--max-streams-per-connection | 0       | '--max-streams-per-connection': must be within [1, 2147483647], was 0",
        "--max-connection-queued  | 1KiB        | '--max-connection-queued': must be within [65536, 1099511627776], was 1024",
        "--request-timeout        | 50ms        | '--request-timeout': must be within [100ms, 10m], was 50ms",
        "--publish-rate           | -5          | '--publish-rate': must be within [0, 1000000], was -5",
        "--publish-burst          | 10          | '--publish-burst': needs --publish-rate",
        "--metrics-token          | a b         | '--metrics-token': must be 16..1024 characters",
        "--proxy-protocol         | true        | '--proxy-protocol': needs --trusted-proxies"})
    void aBadValueIsOneMessageNamingTheOption(String option, String value, String message) {
        assertThatThrownBy(() -> ServerOptions.parse(Map.of(), option, value))
                .isInstanceOf(ParameterException.class)
                .hasMessageStartingWith("Invalid value for option " + message);
    }

    @Test
    void aBadVariableIsNamed() {
        assertThatThrownBy(() -> ServerOptions.parse(Map.of("SSECAST_TRUSTED_PROXIES", "10.0.0.0/33")))
                .hasMessageStartingWith("Invalid value for SSECAST_TRUSTED_PROXIES");
    }

    @Test
    void docsServerMdHasARowForEveryOption() throws IOException {
        String docs = Files.readString(Path.of("..", "docs", "server.md"));
        CommandLine.Model.CommandSpec spec = new CommandLine(ServerOptions.parse(Map.of())).getCommandSpec();
        for (CommandLine.Model.OptionSpec option : spec.options()) {
            if (option.usageHelp() || option.versionHelp()) {
                continue;
            }
            String name = option.longestName();
            assertThat(docs).as(name).contains("| `" + name + "` | `" + ServerOptions.envName(name) + "` |");
        }
        for (dev.ssecast.server.http.Refusal reason : dev.ssecast.server.http.Refusal.values()) {
            assertThat(docs).as(reason.label()).contains("`" + reason.label() + "`");
        }
    }
}
