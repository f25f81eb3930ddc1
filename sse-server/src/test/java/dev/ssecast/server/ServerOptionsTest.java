package dev.ssecast.server;

import dev.ssecast.server.auth.Tokens;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerOptionsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        ServerOptions options = ServerOptions.parse(Map.of());
        assertThat(options.host()).isEqualTo("0.0.0.0");
        assertThat(options.port()).isEqualTo(8080);
        assertThat(options.tick()).isEqualTo(Duration.ofMillis(10));
        assertThat(options.replay()).isEqualTo(10_000);
        assertThat(options.replayBytes()).isEqualTo(64L << 20);
        assertThat(options.maxEventBytes()).isEqualTo(65_536);
        assertThat(options.heartbeat()).isEqualTo(Duration.ofSeconds(15));
        assertThat(options.retry()).isEqualTo(Duration.ofMillis(3000));
        assertThat(options.drain()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.maxConnections()).isNull();
        assertThat(options.publishQueue()).isEqualTo(65_536);
        assertThat(options.publishToken()).isNull();
        assertThat(options.corsOrigin()).isEqualTo("*");
        assertThat(options.transport()).isEqualTo(Transport.AUTO);
        assertThat(options.ioThreads()).isZero();
        assertThat(options.demo()).isFalse();
        assertThat(options.leakDetection()).isEqualTo(ResourceLeakDetector.Level.DISABLED);
    }

    @Test
    void readsEachOptionFromItsEnvironmentVariable() {
        ServerOptions options = ServerOptions.parse(Map.ofEntries(
                Map.entry("SSECAST_HOST", "127.0.0.1"), Map.entry("SSECAST_PORT", "9000"),
                Map.entry("SSECAST_TICK", "5ms"), Map.entry("SSECAST_REPLAY", "7"),
                Map.entry("SSECAST_REPLAY_BYTES", "2MiB"), Map.entry("SSECAST_MAX_EVENT_BYTES", "1KiB"),
                Map.entry("SSECAST_HEARTBEAT", "2m"), Map.entry("SSECAST_RETRY", "1s"),
                Map.entry("SSECAST_DRAIN", "30s"), Map.entry("SSECAST_MAX_CONNECTIONS", "100"),
                Map.entry("SSECAST_PUBLISH_QUEUE", "64"), Map.entry("SSECAST_PUBLISH_TOKEN", "t0k3n-0123456789"),
                Map.entry("SSECAST_CORS_ORIGIN", "https://a.example"), Map.entry("SSECAST_TRANSPORT", "nio"),
                Map.entry("SSECAST_IO_THREADS", "3"), Map.entry("SSECAST_DEMO", "true"),
                Map.entry("SSECAST_REDIS", "redis://10.0.0.5:6379/2"), Map.entry("SSECAST_REDIS_STREAM", "events:v1"),
                Map.entry("SSECAST_LEAK_DETECTION", "simple")));
        assertThat(options.host()).isEqualTo("127.0.0.1");
        assertThat(options.port()).isEqualTo(9000);
        assertThat(options.tick()).isEqualTo(Duration.ofMillis(5));
        assertThat(options.replay()).isEqualTo(7);
        assertThat(options.replayBytes()).isEqualTo(2L << 20);
        assertThat(options.maxEventBytes()).isEqualTo(1024);
        assertThat(options.heartbeat()).isEqualTo(Duration.ofMinutes(2));
        assertThat(options.retry()).isEqualTo(Duration.ofSeconds(1));
        assertThat(options.drain()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.maxConnections()).isEqualTo(100);
        assertThat(options.publishQueue()).isEqualTo(64);
        assertThat(options.publishToken()).isEqualTo("t0k3n-0123456789");
        assertThat(options.corsOrigin()).isEqualTo("https://a.example");
        assertThat(options.transport()).isEqualTo(Transport.NIO);
        assertThat(options.ioThreads()).isEqualTo(3);
        assertThat(options.demo()).isTrue();
        assertThat(options.redis()).isEqualTo("redis://10.0.0.5:6379/2");
        assertThat(options.redisStream()).isEqualTo("events:v1");
        assertThat(options.leakDetection()).isEqualTo(ResourceLeakDetector.Level.SIMPLE);
    }

    @ParameterizedTest
    @CsvSource({"disabled,DISABLED", "simple,SIMPLE", "Advanced,ADVANCED", "PARANOID,PARANOID", "' simple ',SIMPLE"})
    void readsEveryLeakDetectionLevelInAnyCase(String text, ResourceLeakDetector.Level level) {
        assertThat(ServerOptions.parse(Map.of(), "--leak-detection", text).leakDetection()).isEqualTo(level);
    }

    @Test
    void aBadLeakDetectionLevelNamesTheOptionOrItsVariableAndTheLevels() {
        assertThatThrownBy(() -> ServerOptions.parse(Map.of(), "--leak-detection", "on"))
                .isInstanceOf(ParameterException.class)
                .hasMessage("Invalid value for option '--leak-detection': 'on' is not one of disabled, simple, "
                        + "advanced, paranoid");
        assertThatThrownBy(() -> ServerOptions.parse(Map.of("SSECAST_LEAK_DETECTION", "2")))
                .isInstanceOf(ParameterException.class)
                .hasMessage("Invalid value for SSECAST_LEAK_DETECTION (option '--leak-detection'): '2' is not one of "
                        + "disabled, simple, advanced, paranoid");
    }

    @Test
    void theHelpSaysTheSystemPropertyWins() {
        // picocli may wrap the property's name at one of its dots: compare without white space
        assertThat(ServerOptions.usage(Map.of()).replaceAll("\\s+", ""))
                .contains("-Dio.netty.leakDetection.levelgiventotheJVMwinsoverthisoption.")
                .contains("Env:SSECAST_LEAK_DETECTION.Default:disabled.");
    }

    @Test
    void runsInMemoryUnlessARedisIsGiven() {
        ServerOptions options = ServerOptions.parse(Map.of());
        assertThat(options.redis()).isNull();
        assertThat(options.redisStream()).isEqualTo("ssecast");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"redis://localhost", "redis://127.0.0.1:6380/0",
            "rediss://user:secret@redis.internal:6379/15", "redis://[::1]:6379"})
    void acceptsRedisUris(String uri) {
        assertThat(ServerOptions.parse(Map.of(), "--redis", uri).redis()).isEqualTo(uri);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "rediss://user:secret@redis.internal:6379/1 | rediss://user:***@redis.internal:6379/1",
        "redis://user:secret@host                   | redis://user:***@host",
        "redis://secret@host                        | redis://***@host",
        "rediss://secret@redis.internal:6379/1      | rediss://***@redis.internal:6379/1",
        "redis://:secret@host:6379                  | redis://:***@host:6379",
        "redis://user:se@cr/et@host/x               | redis://user:***@host/x",
        "redis://localhost:6379                     | redis://localhost:6379"})
    void keepsTheRedisPasswordOutOfTheLog(String uri, String shown) {
        assertThat(ServerOptions.redactPassword(uri)).isEqualTo(shown);
    }

    @Test
    void aRejectedRedisUriIsEchoedWithoutItsPassword() {
        for (String uri : List.of("redis://user:secret@host:6379/x", "redis://secret@host:6379/x",
                "rediss://secret@host:6379/db", "redis://secret@")) {
            assertThatThrownBy(() -> ServerOptions.parse(Map.of(), "--redis", uri)).as(uri)
                    .hasMessageStartingWith("Invalid value for option '--redis'")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret").contains("***@"));
            assertThatThrownBy(() -> ServerOptions.parse(Map.of("SSECAST_REDIS", uri))).as(uri)
                    .hasMessageStartingWith("Invalid value for SSECAST_REDIS")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret"));
        }
    }

    @Test
    void everyOptionHasAVariableAndTheHelpNamesIt() {
        String help = ServerOptions.usage(Map.of());
        CommandLine.Model.CommandSpec spec = new CommandLine(ServerOptions.parse(Map.of())).getCommandSpec();
        for (CommandLine.Model.OptionSpec option : spec.options()) {
            if (option.usageHelp() || option.versionHelp()) {
                continue;
            }
            String name = option.longestName();
            assertThat(help).contains(name);
            assertThat(String.join(" ", option.description())).as(name)
                    .contains("Env: " + ServerOptions.envName(name) + ".").contains("Default: ");
        }
        assertThat(help.replaceAll("\\s+", " ")).contains("Default: 8080.", "Default: 10ms.", "Default: 15s.",
                "Default: 3000ms.", "Default: 10s.", "Default: 10000.", "Default: 65536.", "Default: *.",
                "Default: auto.");
    }

    @Test
    void loadsTheJwtKeysAtStartAndRefusesWeakOnes(@TempDir Path dir) throws Exception {
        assertThat(ServerOptions.parse(Map.of()).authorizer().enabled()).isFalse();
        assertThat(ServerOptions.parse(Map.of("SSECAST_JWT_KEY", "k".repeat(32))).authorizer().enabled()).isTrue();
        Path secret = Files.writeString(dir.resolve("secret"), "k".repeat(32) + "\r\n");
        assertThat(ServerOptions.parse(Map.of(), "--jwt-key-file", secret.toString()).authorizer().enabled())
                .isTrue();
        Path shortSecret = Files.writeString(dir.resolve("short"), "k".repeat(31) + "\n");
        assertThatThrownBy(() -> ServerOptions.parse(Map.of(), "--jwt-key-file", shortSecret.toString()))
                .isInstanceOf(ParameterException.class)
                .hasMessageStartingWith("Invalid value for option '--jwt-key-file': an HMAC secret must be at least "
                        + "32 bytes").hasMessageContaining("was 31 bytes");
        assertThatThrownBy(() -> ServerOptions.parse(Map.of("SSECAST_JWT_KEY", "k".repeat(32)), "--jwt-key-file",
                secret.toString())).hasMessageContaining("set either it or SSECAST_JWT_KEY, not both");

        Path rsa1024 = Tokens.pem(dir.resolve("rsa1024.pem"), Tokens.rsa(1024).getPublic());
        assertThatThrownBy(() -> ServerOptions.parse(Map.of(), "--jwt-public-key", rsa1024.toString()))
                .hasMessageStartingWith("Invalid value for option '--jwt-public-key': an RSA key must have at least "
                        + "2048 bits, was 1024 bits");
        Path p384 = Tokens.pem(dir.resolve("p384.pem"), Tokens.ec("secp384r1").getPublic());
        assertThatThrownBy(() -> ServerOptions.parse(Map.of("SSECAST_JWT_PUBLIC_KEY", p384.toString())))
                .hasMessageStartingWith("Invalid value for SSECAST_JWT_PUBLIC_KEY (option '--jwt-public-key'): an EC "
                        + "key must be on P-256");
        assertThatThrownBy(() -> ServerOptions.parse(Map.of(), "--jwks", dir.resolve("missing.json").toString()))
                .hasMessageStartingWith("Invalid value for option '--jwks': cannot read a JWK set from");
        assertThatThrownBy(() -> ServerOptions.parse(Map.of(), "--public-topics", "a*b"))
                .hasMessageStartingWith("Invalid value for option '--public-topics': a topic pattern is a topic or a "
                        + "prefix ending in *, was a*b");
        assertThatThrownBy(() -> ServerOptions.parse(Map.of(), "--jwt-leeway", "11m"))
                .hasMessageStartingWith("Invalid value for option '--jwt-leeway': must be within [0ms, 10m], was 11m");
    }

    @Test
    void aPublishTokenShorterThan16CharactersIsRefused() {
        assertThatThrownBy(() -> ServerOptions.parse(Map.of(), "--publish-token", "fifteen-chars-x"))
                .hasMessageStartingWith("Invalid value for option '--publish-token': must be 16..1024 characters");
        assertThat(ServerOptions.parse(Map.of(), "--publish-token", "sixteen-chars-xx").publishToken())
                .isEqualTo("sixteen-chars-xx");
    }

    @Test
    void readsTheCorsOriginAsStarOrAList() {
        assertThat(ServerOptions.parse(Map.of()).corsOrigins()).isEmpty();
        assertThat(ServerOptions.parse(Map.of(), "--cors-origin", "https://a.example, https://b.example")
                .corsOrigins()).containsExactlyInAnyOrder("https://a.example", "https://b.example");
        assertThatThrownBy(() -> ServerOptions.parse(Map.of(), "--cors-origin", "https://a.example,*"))
                .hasMessageStartingWith("Invalid value for option '--cors-origin': must be * alone or a list");
    }

    @Test
    void theHelpShowsNoTokenEvenWhenOneIsSet() {
        assertThat(ServerOptions.usage(Map.of("SSECAST_PUBLISH_TOKEN", "very-secret"))).doesNotContain("very-secret");
    }

    @Test
    void theCommandLineWinsOverTheEnvironment() {
        ServerOptions options = ServerOptions.parse(Map.of("SSECAST_PORT", "9000", "SSECAST_DEMO", "true"),
                "--port", "9001", "--demo=false");
        assertThat(options.port()).isEqualTo(9001);
        assertThat(options.demo()).isFalse();
    }

    @Test
    void aBadVariableDoesNotMatterWhenTheOptionIsGiven() {
        assertThat(ServerOptions.parse(Map.of("SSECAST_PORT", "http"), "--port", "9001").port()).isEqualTo(9001);
    }

    @Test
    void anEmptyVariableCountsAsUnset() {
        assertThat(ServerOptions.parse(Map.of("SSECAST_PORT", "", "SSECAST_CORS_ORIGIN", "")).port()).isEqualTo(8080);
    }

    @Test
    void anEmptyCorsOriginOnTheCommandLineMeansNone() {
        assertThat(ServerOptions.parse(Map.of(), "--cors-origin=").corsOrigin()).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "250ms | 250",
        "15s   | 15000",
        "2m    | 120000",
        "0ms   | 0"})
    void readsDurationsInMillisecondsSecondsOrMinutes(String text, long millis) {
        assertThat(OptionValues.duration(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "65536 | 65536",
        "64KiB | 65536",
        "16MiB | 16777216",
        "1GiB  | 1073741824"})
    void readsSizesInBytesKibOrMib(String text, long bytes) {
        assertThat(OptionValues.bytes(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--port            | 70000   | Invalid value for option '--port': must be within [0, 65535], was 70000",
        "--port            | http    | Invalid value for option '--port': 'http' is not an int",
        "--tick            | 0ms     | Invalid value for option '--tick': must be within [1ms, 1s], was 0ms",
        "--tick            | 10      | Invalid value for option '--tick': '10' is not a duration like 250ms",
        "--heartbeat       | 5ms     | Invalid value for option '--heartbeat': must be within [10ms, 60m], was 5ms",
        "--retry           | 2h      | Invalid value for option '--retry': '2h' is not a duration",
        "--drain           | 61m     | Invalid value for option '--drain': must be within [0ms, 60m], was 61m",
        "--replay          | 0       | Invalid value for option '--replay': must be within [1, 10000000], was 0",
        "--max-event-bytes | 17MiB   | Invalid value for option '--max-event-bytes': must be within [1, 16777216]",
        "--max-event-bytes | 64kb    | Invalid value for option '--max-event-bytes': '64kb' is not a size",
        "--max-connections | 0       | Invalid value for option '--max-connections': must be within [1, ",
        "--publish-queue   | 0       | Invalid value for option '--publish-queue': must be within [1, 16777216]",
        "--publish-token   | a b     | Invalid value for option '--publish-token': must be 16..1024 characters",
        "--transport       | kqueue  | Invalid value for option '--transport': 'kqueue' is not one of auto, epoll",
        "--redis           | localhost:6379 | Invalid value for option '--redis': must be redis://",
        "--redis           | redis://h:6379/x | Invalid value for option '--redis': must be redis://",
        "--redis-stream    | a b     | Invalid value for option '--redis-stream': must be 1..128 characters"})
    void aBadValueIsOneMessageNamingTheOption(String option, String value, String message) {
        assertThatThrownBy(() -> ServerOptions.parse(Map.of(), option, value))
                .isInstanceOf(ParameterException.class)
                .hasMessageStartingWith(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aBadValueFromTheEnvironmentNamesTheVariable() {
        assertThatThrownBy(() -> ServerOptions.parse(Map.of("SSECAST_TICK", "fast")))
                .hasMessageStartingWith("Invalid value for SSECAST_TICK (option '--tick'): 'fast' is not a duration");
        assertThatThrownBy(() -> ServerOptions.parse(Map.of("SSECAST_PORT", "99999")))
                .hasMessageStartingWith("Invalid value for SSECAST_PORT (option '--port'): must be within");
    }

    @Test
    void demoTakesAnOptionalBoolean() {
        assertThat(ServerOptions.parse(Map.of(), "--demo").demo()).isTrue();
        assertThat(ServerOptions.parse(Map.of(), "--demo=true").demo()).isTrue();
        assertThatThrownBy(() -> ServerOptions.parse(Map.of(), "--demo=maybe"))
                .hasMessageStartingWith("Invalid value for option '--demo': 'maybe' is not a boolean");
        assertThatThrownBy(() -> ServerOptions.parse(Map.of("SSECAST_DEMO", "yes")))
                .hasMessageStartingWith("Invalid value for SSECAST_DEMO (option '--demo')");
    }

    @Test
    void anUnknownOptionIsRefused() {
        assertThatThrownBy(() -> ServerOptions.parse(Map.of(), "--prot", "1"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("'--prot'");
    }
}
