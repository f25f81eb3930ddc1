package dev.ssecast.core.internal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class EventIdTest {
    @ParameterizedTest
    @CsvSource({
            "1, 2",
            "9, 10",
            "1700000000000-0, 1700000000000-1",
            "1700000000000-9, 1700000000000-10",
            "1700000000000-99, 1700000000001-0",
            "9223372036854775807, 9223372036854775808",   // unsigned: past Long.MAX_VALUE still orders after
            "18446744073709551614, 18446744073709551615",
    })
    void ordersPartByPartAsUnsignedIntegers(String earlier, String later) {
        EventId a = EventId.parse(earlier);
        EventId b = EventId.parse(later);
        assertThat(a.isValid()).isTrue();
        assertThat(b.isAfter(a)).isTrue();
        assertThat(a.isAfter(b)).isFalse();
        assertThat(a.isAfter(EventId.parse(earlier))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "1-", "-1", "1-2-3", "a", "1a", " 1", "+1", "18446744073709551616", "1.5"})
    void refusesTextThatIsNotOneOrTwoUnsignedParts(String text) {
        assertThat(EventId.parse(text).isValid()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "42", "1700000000000-3"})
    void keepsTheTextItWasGiven(String text) {
        assertThat(EventId.parse(text).text()).isEqualTo(text);
    }
}
