package dev.ssecast.server;

import io.netty.util.ResourceLeakDetector;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Netty's buffer leak detection for the server's process: {@code --leak-detection} (default {@code disabled}),
 * unless the JVM was given {@code -Dio.netty.leakDetection.level} (or its old name {@code
 * -Dio.netty.leakDetectionLevel}), which wins: Netty has read it already, and this leaves it alone. Tests and
 * debugging sessions set the property ({@code paranoid}); operators use the option.
 *
 * <p>The level is Netty's one global setting, so {@link #apply} runs once, at start, before the server allocates a
 * buffer: a buffer is tracked or not when it is allocated, at the level in force then.
 */
final class LeakDetection {
    static final String PROPERTY = "io.netty.leakDetection.level";
    static final String OLD_PROPERTY = "io.netty.leakDetectionLevel";

    /** The level in force and where it came from, as the start-up log says it. */
    record Decision(ResourceLeakDetector.Level level, String source) {
        @Override
        public String toString() {
            return name(level) + " (" + source + ")";
        }
    }

    private LeakDetection() {
    }

    /**
     * What applies: the option's level, unless {@code systemProperties} has either property (then Netty's level
     * stands, {@code inForce}, and the source names the property).
     */
    static Decision decide(ResourceLeakDetector.Level option, ResourceLeakDetector.Level inForce,
                           UnaryOperator<String> systemProperties) {
        for (String property : new String[] {PROPERTY, OLD_PROPERTY}) {
            String value = systemProperties.apply(property);
            if (value != null) {
                return new Decision(inForce, "-D" + property + "=" + value + ", which --leak-detection does not "
                        + "override");
            }
        }
        return new Decision(option, "--leak-detection");
    }

    /**
     * Decides for this JVM and sets the level unless a property decided it; returns the level then in force (read
     * back from Netty) and where it came from, to log.
     */
    static Decision apply(ResourceLeakDetector.Level option) {
        Decision decision = decide(option, ResourceLeakDetector.getLevel(), System::getProperty);
        if (decision.level() != ResourceLeakDetector.getLevel()) {
            ResourceLeakDetector.setLevel(decision.level());
        }
        return new Decision(ResourceLeakDetector.getLevel(), decision.source());
    }

    static String name(ResourceLeakDetector.Level level) {
        return level.name().toLowerCase(Locale.ROOT);
    }

    /** Reads {@code disabled}, {@code simple}, {@code advanced} or {@code paranoid}, in any case. */
    static final class Converter implements ITypeConverter<ResourceLeakDetector.Level> {
        @Override
        public ResourceLeakDetector.Level convert(String value) {
            for (ResourceLeakDetector.Level level : ResourceLeakDetector.Level.values()) {
                if (level.name().equalsIgnoreCase(value.strip())) {
                    return level;
                }
            }
            throw new TypeConversionException("'" + value + "' is not one of disabled, simple, advanced, paranoid");
        }
    }
}
