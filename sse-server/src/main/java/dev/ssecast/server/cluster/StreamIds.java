package dev.ssecast.server.cluster;

/** Redis Stream entry ids, {@code <ms>-<seq>}, ordered part by part as unsigned integers. */
final class StreamIds {
    private StreamIds() {
    }

    static int compare(String a, String b) {
        long[] x = parse(a);
        long[] y = parse(b);
        int c = Long.compareUnsigned(x[0], y[0]);
        return c != 0 ? c : Long.compareUnsigned(x[1], y[1]);
    }

    /** The millisecond part of an entry id. */
    static long millis(String id) {
        return parse(id)[0];
    }

    private static long[] parse(String id) {
        int dash = id.indexOf('-');
        if (dash < 0) {
            return new long[] {Long.parseUnsignedLong(id), 0};
        }
        return new long[] {Long.parseUnsignedLong(id.substring(0, dash)), Long.parseUnsignedLong(id.substring(dash + 1))};
    }
}
