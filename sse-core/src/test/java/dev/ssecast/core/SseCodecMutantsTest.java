package dev.ssecast.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssecast.core.SseCodecRoundTrip.Failure;
import dev.ssecast.core.SseCodecRoundTrip.LineEnds;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The round-trip properties, run under the default seed, catch each mutant and shrink it to a small case. */
class SseCodecMutantsTest {

    static Stream<SseCodecUnderTest> mutants() {
        return Stream.of(
                SseCodecMutants.splittingDataOnLineSeparator(),
                SseCodecMutants.strippingEveryLeadingSpace(),
                SseCodecMutants.droppingACarriageReturnThatEndsABuffer());
    }

    @ParameterizedTest
    @MethodSource("mutants")
    void roundTripPropertiesCatchTheMutantAndShrinkItToOneSmallEvent(SseCodecUnderTest mutant) {
        Failure failure = firstFailure(mutant);

        assertThat(failure.report())
                .contains("failed for " + mutant.name())
                .contains("-Dssecast.seed=" + SseCodecRoundTrip.DEFAULT_SEED);
        assertThat(SseCodecRoundTrip.failureOf(mutant, failure.shrunk())).as("the shrunk case still fails")
                .isNotNull();
        assertThat(failure.shrunk().events()).as(failure.report()).hasSize(1);
        assertThat(failure.shrunk().wire(mutant).length).as(failure.report()).isLessThanOrEqualTo(16);
    }

    @Test
    void shrinksTheLineSeparatorMutantToTheOneCharThatBreaksIt() {
        Failure failure = firstFailure(SseCodecMutants.splittingDataOnLineSeparator());

        assertThat(failure.shrunk().events()).as(failure.report()).containsExactly(SseEvent.ofData("\u2028"));
        assertThat(failure.shrunk().lineEnds()).isEqualTo(LineEnds.LF);
    }

    private static Failure firstFailure(SseCodecUnderTest mutant) {
        long seed = SseCodecRoundTrip.DEFAULT_SEED;
        Optional<Failure> failure = SseCodecRoundTrip.singleEvents(mutant, seed)
                .or(() -> SseCodecRoundTrip.streams(mutant, seed));
        assertThat(failure).as("a round-trip property fails for %s", mutant.name()).isPresent();
        return failure.get();
    }
}
