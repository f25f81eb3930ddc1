package dev.ssecast.bench.load;

import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.zip.DataFormatException;

/**
 * One node's counters at an instant (cumulative since the node started, or since the step's mark for
 * {@code stepDeliveries}; {@code gaps} is the running loss estimate, see {@link StreamAccount#gaps()}), and its
 * latency histogram since the previous snapshot, compressed and in base64 so that
 * it crosses a process boundary as text. Immutable.
 */
record Snapshot(int opened, int failed, int closed, long deliveries, long bytes, long stepDeliveries,
                long outOfOrder, long gaps, String latency) {

    /** Connections whose stream is open. */
    int open() {
        return opened - closed;
    }

    /** The interval histogram, in microseconds. */
    Histogram histogram() {
        return decode(latency);
    }

    /** Adds counts and histograms of several nodes, taken at about the same instant. */
    static Snapshot merge(List<Snapshot> parts) {
        int opened = 0;
        int failed = 0;
        int closed = 0;
        long deliveries = 0;
        long bytes = 0;
        long step = 0;
        long outOfOrder = 0;
        long gaps = 0;
        Histogram latency = newHistogram();
        for (Snapshot s : parts) {
            opened += s.opened;
            failed += s.failed;
            closed += s.closed;
            deliveries += s.deliveries;
            bytes += s.bytes;
            step += s.stepDeliveries;
            outOfOrder += s.outOfOrder;
            gaps += s.gaps;
            latency.add(s.histogram());
        }
        return new Snapshot(opened, failed, closed, deliveries, bytes, step, outOfOrder, gaps, encode(latency));
    }

    static Histogram newHistogram() {
        return new Histogram(1, Tally.MAX_LATENCY_MICROS, 3);
    }

    static String encode(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        byte[] bytes = new byte[length];
        buffer.flip();
        buffer.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    static Histogram decode(String base64) {
        try {
            Histogram decoded = Histogram.decodeFromCompressedByteBuffer(
                    ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 1);
            Histogram histogram = newHistogram();
            histogram.add(decoded);
            return histogram;
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("not an encoded histogram", e);
        }
    }
}
