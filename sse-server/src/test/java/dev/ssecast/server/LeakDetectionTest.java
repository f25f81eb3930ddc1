package dev.ssecast.server;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetector.Level;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which leak detection level the server's start applies: {@code --leak-detection}, unless the JVM was given the
 * system property, which wins. The decision is tested on given properties; {@link LeakDetection#apply} on this
 * JVM, which runs with {@code -Dio.netty.leakDetection.level=paranoid} (the parent pom's argLine).
 */
class LeakDetectionTest {

    @Test
    void withoutThePropertyTheOptionDecides() {
        LeakDetection.Decision decision = LeakDetection.decide(Level.DISABLED, Level.SIMPLE,
                Map.<String, String>of()::get);
        assertThat(decision.level()).isEqualTo(Level.DISABLED);
        assertThat(decision).hasToString("disabled (--leak-detection)");
    }

    @Test
    void thePropertyGivenToTheJvmWinsOverTheOption() {
        LeakDetection.Decision decision = LeakDetection.decide(Level.DISABLED, Level.PARANOID,
                Map.of("io.netty.leakDetection.level", "paranoid")::get);
        assertThat(decision.level()).as("Netty's level, as it read the property").isEqualTo(Level.PARANOID);
        assertThat(decision).hasToString("paranoid (-Dio.netty.leakDetection.level=paranoid, which "
                + "--leak-detection does not override)");
    }

    @Test
    void thePropertysOldNameWinsToo() {
        LeakDetection.Decision decision = LeakDetection.decide(Level.PARANOID, Level.ADVANCED,
                Map.of("io.netty.leakDetectionLevel", "advanced")::get);
        assertThat(decision.level()).isEqualTo(Level.ADVANCED);
        assertThat(decision.source()).startsWith("-Dio.netty.leakDetectionLevel=advanced");
    }

    @Test
    void aValueNettyDoesNotKnowIsStillTheProperty() {
        // Netty reads an unknown value as simple; the property was given, so the option does not replace it.
        LeakDetection.Decision decision = LeakDetection.decide(Level.DISABLED, Level.SIMPLE,
                Map.of("io.netty.leakDetection.level", "loud")::get);
        assertThat(decision.level()).isEqualTo(Level.SIMPLE);
    }

    @Test
    void startingInThisJvmKeepsTheTestsParanoidLevel() {
        assertThat(System.getProperty(LeakDetection.PROPERTY)).as("the argLine's property").isEqualTo("paranoid");
        Level before = ResourceLeakDetector.getLevel();
        try {
            LeakDetection.Decision decision = LeakDetection.apply(Level.DISABLED);
            assertThat(ResourceLeakDetector.getLevel()).isEqualTo(Level.PARANOID);
            assertThat(decision.level()).isEqualTo(Level.PARANOID);
        } finally {
            ResourceLeakDetector.setLevel(before); // a broken apply must not blind the rest of this JVM's tests
        }
    }
}
