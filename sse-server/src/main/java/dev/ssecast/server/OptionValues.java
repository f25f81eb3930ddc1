package dev.ssecast.server;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The value forms of the command line: durations {@code <n>ms|s|m} and sizes {@code <n>[KiB|MiB|GiB]}. */
final class OptionValues {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})(KiB|MiB|GiB)?");

    private OptionValues() {
    }

    /** Parses {@code <n>ms}, {@code <n>s} or {@code <n>m}. */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new TypeConversionException("'" + text + "' is not a duration like 250ms, 15s or 2m");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            default:
                return Duration.ofMinutes(n);
        }
    }

    /** Parses {@code <n>} bytes, {@code <n>KiB}, {@code <n>MiB} or {@code <n>GiB}. */
    static long bytes(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new TypeConversionException("'" + text + "' is not a size like 65536, 64KiB or 16MiB");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        int shift = unit.isEmpty() ? 0 : unit.equals("KiB") ? 10 : unit.equals("MiB") ? 20 : 30;
        if (n > Long.MAX_VALUE >> shift) {
            throw new TypeConversionException("'" + text + "' is too large");
        }
        return n << shift;
    }

    /** The shortest exact form of {@code d}: {@code 2m}, {@code 15s} or {@code 250ms}. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms != 0 && ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /** Converts durations for picocli. */
    static final class Millis implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return duration(value);
        }
    }

    /** Converts sizes for picocli. */
    static final class Bytes implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return bytes(value);
        }
    }
}
