package dev.ssecast.core;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Encoding then decoding gives the event back, however the bytes are split into buffers: the properties of
 * {@link SseCodecRoundTrip} on the real codec, over cases drawn from {@link SseCodecRoundTrip#DEFAULT_SEED} or
 * from {@code -Dssecast.seed=...} to replay a reported failure.
 */
class SseCodecRoundTripProperties {

    private static final long SEED = Long.getLong("ssecast.seed", SseCodecRoundTrip.DEFAULT_SEED);

    @Test
    void decodesAnEncodedEventSplitAtEveryBoundary() {
        assertPasses(SseCodecRoundTrip.singleEvents(SseCodecUnderTest.real(), SEED));
    }

    @Test
    void decodesAStreamOfEventsSplitAtEveryBoundary() {
        assertPasses(SseCodecRoundTrip.streams(SseCodecUnderTest.real(), SEED));
    }

    private static void assertPasses(Optional<SseCodecRoundTrip.Failure> failure) {
        failure.ifPresent(f -> fail(f.report()));
    }
}
