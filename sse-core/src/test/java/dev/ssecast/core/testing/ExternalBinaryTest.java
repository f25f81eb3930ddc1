package dev.ssecast.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The lookup sees only the PATH, environment and directories given here, never this machine's programs. */
class ExternalBinaryTest {

    @TempDir
    Path dir;

    @Test
    void findsAnExecutableOnPath() throws IOException {
        Path tool = executable(dir.resolve("bin"), "fake-tool");

        assertThat(ExternalBinary.require("fake-tool", "fake-package",
                Map.of("PATH", "/nonexistent:" + tool.getParent()), List.of())).isEqualTo(tool);
    }

    @Test
    void findsAnExecutableInTheUsualDirectoriesWhenPathLacksIt() throws IOException {
        Path tool = executable(dir.resolve("sbin"), "fake-daemon");

        assertThat(ExternalBinary.require("fake-daemon", "fake-package", Map.of("PATH", dir.toString()),
                List.of(dir.resolve("sbin")))).isEqualTo(tool);
    }

    @Test
    void findsAnExecutableGivenByPath() throws IOException {
        Path tool = executable(dir, "fake-browser");

        assertThat(ExternalBinary.require(tool.toString(), "fake-package", Map.of(), List.of())).isEqualTo(tool);
    }

    @Test
    void skipsNamingTheDebianPackageWhenMissing() throws IOException {
        Files.createFile(dir.resolve("not-executable")); // found by name, but not a program

        assertThatExceptionOfType(TestAbortedException.class)
                .isThrownBy(() -> ExternalBinary.require("not-executable", "some-package",
                        Map.of("PATH", dir.toString(), ExternalBinary.REQUIRE_ENV, "0"), List.of(dir)))
                .withMessage("not-executable not found (Debian package some-package); skipping");
    }

    @Test
    void failsNamingTheDebianPackageWhenMissingAndRequired() {
        assertThatExceptionOfType(AssertionFailedError.class)
                .isThrownBy(() -> ExternalBinary.require("redis-server", "redis-server",
                        Map.of("PATH", dir.toString(), ExternalBinary.REQUIRE_ENV, "1"), List.of()))
                .withMessage("redis-server not found (Debian package redis-server), and SSECAST_REQUIRE_EXTERNAL=1 "
                        + "requires it");
    }

    private static Path executable(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        return Files.createFile(dir.resolve(name), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
    }
}
