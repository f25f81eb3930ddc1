package dev.ssecast.server;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The level the server's start applies, as its log reports it (read back from Netty after applying): disabled by
 * default, the option's or the variable's when given, and the JVM's system property over both, so that the tests'
 * paranoid level (their argLine, and every other test's server process) is never lowered.
 */
@Timeout(120)
class LeakDetectionIT {
    private static final String[] LOOPBACK = {"--host", "127.0.0.1", "--port", "0", "--max-connections", "100"};

    @Test
    void theJarAsAnOperatorRunsItStartsWithDetectionDisabled() throws Exception {
        try (ServerProcess server = ServerProcess.startWithoutLeakProperty(Map.of(), LOOPBACK)) {
            assertThat(server.awaitLine("buffer leak detection:"))
                    .endsWith("buffer leak detection: disabled (--leak-detection)");
        }
    }

    @Test
    void theOptionOrItsVariableSetsTheLevel() throws Exception {
        try (ServerProcess server = ServerProcess.startWithoutLeakProperty(Map.of(), with("--leak-detection",
                "simple"))) {
            assertThat(server.awaitLine("buffer leak detection:"))
                    .endsWith("buffer leak detection: simple (--leak-detection)");
        }
        try (ServerProcess server = ServerProcess.startWithoutLeakProperty(Map.of("SSECAST_LEAK_DETECTION",
                "advanced"), LOOPBACK)) {
            assertThat(server.awaitLine("buffer leak detection:"))
                    .endsWith("buffer leak detection: advanced (--leak-detection)");
        }
    }

    @Test
    void theSystemPropertyGivenToTheJvmWinsOverTheOption() throws Exception {
        try (ServerProcess server = ServerProcess.startWithJvmOptions(List.of(), Map.of(), with("--leak-detection",
                "disabled"))) {
            assertThat(server.awaitLine("buffer leak detection:")).endsWith("buffer leak detection: paranoid "
                    + "(-Dio.netty.leakDetection.level=paranoid, which --leak-detection does not override)");
        }
    }

    @Test
    void aServerStartedInTheTestJvmKeepsItsParanoidLevel() {
        try (TestServer server = TestServer.start("--leak-detection", "disabled")) {
            assertThat(server.server.broadcaster().openStreams()).isZero();
            assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
        } finally {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID); // never leave this JVM blinded
        }
    }

    private static String[] with(String... more) {
        String[] all = new String[LOOPBACK.length + more.length];
        System.arraycopy(LOOPBACK, 0, all, 0, LOOPBACK.length);
        System.arraycopy(more, 0, all, LOOPBACK.length, more.length);
        return all;
    }
}
