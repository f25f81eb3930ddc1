package dev.ssecast.server;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int check(Map<String, String> env, String... args) {
        return Main.check(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aBadValueIsOneLineOnStderrNamingTheOptionAndExit2() {
        assertThat(check(Map.of(), "--tick", "0ms")).isEqualTo(Main.EXIT_USAGE);
        String error = err.toString(StandardCharsets.UTF_8);
        assertThat(error.lines()).hasSize(1);
        assertThat(error).startsWith("ssecast-server: Invalid value for option '--tick'");
        assertThat(out.size()).isZero();
    }

    @Test
    void aShortJwtSecretIsOneLineOnStderrThatDoesNotShowItAndExit2() {
        assertThat(check(Map.of("SSECAST_JWT_KEY", "too-short-a-secret"))).isEqualTo(Main.EXIT_USAGE);
        String error = err.toString(StandardCharsets.UTF_8);
        assertThat(error.lines()).hasSize(1);
        assertThat(error).startsWith("ssecast-server: Invalid value for SSECAST_JWT_KEY: an HMAC secret must be at "
                + "least 32 bytes for HS256").contains("was 18 bytes").doesNotContain("too-short-a-secret");
    }

    @Test
    void helpListsTheOptionsAndExits0() {
        assertThat(check(Map.of(), "--help")).isEqualTo(Main.EXIT_OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: ssecast-server")
                .contains("--max-connections");
        assertThat(err.size()).isZero();
    }

    @Test
    void versionPrintsOneLine() {
        assertThat(check(Map.of(), "--version")).isEqualTo(Main.EXIT_OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("ssecast-server ").hasLineCount(1);
    }

    @Test
    void goodOptionsGoOnToStart() {
        assertThat(check(Map.of("SSECAST_PORT", "0"), "--demo")).isEqualTo(-1);
    }
}
