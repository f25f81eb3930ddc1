package dev.ssecast.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every drawn event passed {@link SseEvent.Builder#build()}, so its strings are well-formed UTF-16 too. */
class SseGenTest {

    @Test
    void drawsTheSameEventsFromTheSameSeed() {
        assertThat(draw(SseCodecRoundTrip.DEFAULT_SEED, 50)).isEqualTo(draw(SseCodecRoundTrip.DEFAULT_SEED, 50));
        assertThat(draw(SseCodecRoundTrip.DEFAULT_SEED, 50)).isNotEqualTo(draw(SseCodecRoundTrip.DEFAULT_SEED + 1, 50));
    }

    @Test
    void drawsTheCharactersCodecsGetWrongUnderTheDefaultSeed() {
        String all = draw(SseCodecRoundTrip.DEFAULT_SEED, 300).stream()
                .flatMap(e -> Stream.of(e.id(), e.type(), e.data(), e.comment()))
                .filter(s -> s != null)
                .collect(Collectors.joining());

        assertThat(all).contains("\u0000", " ", ":", "\r\n", "\u2028", "\u2029", "\u0085");
        assertThat(all.codePoints().anyMatch(Character::isSupplementaryCodePoint)).as("astral code points").isTrue();
        assertThat(all).as("a lone CR").containsPattern("\r(?!\n)");
        assertThat(all).as("a lone LF").containsPattern("(?<!\r)\n");
    }

    private static List<SseEvent> draw(long seed, int cases) {
        SseGen gen = new SseGen(seed);
        List<SseEvent> events = new ArrayList<>();
        for (int i = 0; i < cases; i++) {
            events.add(gen.dispatchableEvent());
            events.addAll(gen.stream());
        }
        return events;
    }
}
