package dev.ssecast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SseEventTest {

    @Test
    void refusesAnEventWithNoFieldSet() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SseEvent.builder().build())
                .withMessage("an event needs at least one of id, type, data, retry, comment");
    }

    @Test
    void acceptsAnEventWithAnyOneFieldSet() {
        assertThat(SseEvent.builder().id("1").build().id()).isEqualTo("1");
        assertThat(SseEvent.builder().type("add").build().type()).isEqualTo("add");
        assertThat(SseEvent.builder().data("").build().data()).isEmpty();
        assertThat(SseEvent.builder().retry(Duration.ZERO).build().retry()).isZero();
        assertThat(SseEvent.builder().comment("").build().comment()).isEmpty();
    }

    @Test
    void leavesUnsetFieldsNull() {
        SseEvent event = SseEvent.ofData("x");

        assertThat(event.data()).isEqualTo("x");
        assertThat(event.id()).isNull();
        assertThat(event.type()).isNull();
        assertThat(event.retry()).isNull();
        assertThat(event.comment()).isNull();
    }

    @Test
    void acceptsAnEmptyIdWhichResetsTheReceiversLastEventId() {
        assertThat(SseEvent.builder().id("").build().id()).isEmpty();
    }

    @Test
    void refusesAnIdWithLineFeedAndEscapesItInTheMessage() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SseEvent.builder().id("a\nb").build())
                .withMessage("id must not contain CR, LF or NUL, was \"a\\nb\"");
    }

    @Test
    void refusesAnIdWithCarriageReturn() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SseEvent.builder().id("a\r").build())
                .withMessage("id must not contain CR, LF or NUL, was \"a\\r\"");
    }

    @Test
    void refusesAnIdWithNul() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SseEvent.builder().id("a\0b").data("x").build())
                .withMessage("id must not contain CR, LF or NUL, was \"a\\u0000b\"");
    }

    @Test
    void acceptsAnIdWithSpacesColonsAndUnicodeSeparators() {
        String id = " a:b \u2028\u2029\u0085\u000B\u000C é😀";

        assertThat(SseEvent.builder().id(id).build().id()).isEqualTo(id);
    }

    @Test
    void refusesAnEmptyTypeBecauseReceiversReadItAsMessage() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SseEvent.builder().type("").data("x").build())
                .withMessage("type must not be empty (an empty event field means \"message\" to a receiver; "
                        + "leave type unset for that), was \"\"");
    }

    @Test
    void refusesATypeWithLineBreaks() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SseEvent.builder().type("add\r\n").build())
                .withMessage("type must not contain CR or LF, was \"add\\r\\n\"");
    }

    @Test
    void acceptsATypeWithNulBecauseOnlyIdsForbidIt() {
        assertThat(SseEvent.builder().type("a\0").build().type()).isEqualTo("a\0");
    }

    @Test
    void acceptsDataWithAnyLineEndings() {
        String data = "a\rb\nc\r\nd\u2028e\n\n";

        assertThat(SseEvent.ofData(data).data()).isEqualTo(data);
    }

    @Test
    void acceptsACommentWithLineBreaks() {
        assertThat(SseEvent.builder().comment("one\ntwo\r\nthree").build().comment()).isEqualTo("one\ntwo\r\nthree");
    }

    @Test
    void acceptsZeroAndWholeMillisecondRetries() {
        assertThat(SseEvent.builder().retry(Duration.ZERO).build().retry()).isEqualTo(Duration.ZERO);
        assertThat(SseEvent.builder().retry(Duration.ofMillis(1500)).build().retry())
                .isEqualTo(Duration.ofMillis(1500));
        assertThat(SseEvent.builder().retry(Duration.ofMillis(Long.MAX_VALUE)).build().retry())
                .isEqualTo(Duration.ofMillis(Long.MAX_VALUE));
    }

    @Test
    void refusesANegativeRetry() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SseEvent.builder().retry(Duration.ofMillis(-5)).build())
                .withMessage("retry must be >= 0, was PT-0.005S");
    }

    @Test
    void refusesASubMillisecondRetry() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SseEvent.builder().retry(Duration.ofNanos(1_500_000)).build())
                .withMessage("retry must be a whole number of milliseconds, was PT0.0015S");
    }

    @Test
    void refusesARetryBeyondLongMillis() {
        Duration tooLong = Duration.ofMillis(Long.MAX_VALUE).plusMillis(1);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> SseEvent.builder().retry(tooLong).build())
                .withMessage("retry must be at most 9223372036854775807ms, was " + tooLong);
    }

    @Test
    void refusesALoneHighSurrogateInData() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SseEvent.ofData("ab\uD83D"))
                .withMessage("data must be well-formed UTF-16 (it is sent as UTF-8), but has a lone surrogate "
                        + "U+D83D at index 2, was \"ab\\uD83D\"");
    }

    @Test
    void refusesALoneLowSurrogateInEveryStringField() {
        String lone = "x\uDE00y";

        assertThatIllegalArgumentException().isThrownBy(() -> SseEvent.builder().id(lone).build())
                .withMessageStartingWith("id must be well-formed UTF-16")
                .withMessageContaining("U+DE00 at index 1");
        assertThatIllegalArgumentException().isThrownBy(() -> SseEvent.builder().type(lone).build())
                .withMessageStartingWith("type must be well-formed UTF-16");
        assertThatIllegalArgumentException().isThrownBy(() -> SseEvent.builder().comment(lone).build())
                .withMessageStartingWith("comment must be well-formed UTF-16");
    }

    @Test
    void refusesSurrogatesInTheWrongOrder() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SseEvent.ofData("\uDE00\uD83D"))
                .withMessageContaining("lone surrogate U+DE00 at index 0");
    }

    @Test
    void acceptsSurrogatePairs() {
        assertThat(SseEvent.ofData("😀\uD83D\uDE00").data()).isEqualTo("😀😀");
    }

    @Test
    void cutsLongValuesInTheMessage() {
        String id = "x".repeat(100) + "\n";

        assertThatIllegalArgumentException()
                .isThrownBy(() -> SseEvent.builder().id(id).build())
                .withMessage("id must not contain CR, LF or NUL, was \"" + "x".repeat(64) + "\"... (101 chars)");
    }

    @Test
    void escapesQuotesBackslashesAndControlCharactersInTheMessage() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SseEvent.builder().type("\"\\\t\u0001\u2028\n").build())
                .withMessage("type must not contain CR or LF, was \"\\\"\\\\\\t\\u0001\\u2028\\n\"");
    }

    @Test
    void equalsAndHashCodeCoverAllFiveFields() {
        SseEvent full = SseEvent.builder()
                .id("1").type("add").data("d").retry(Duration.ofSeconds(1)).comment("c")
                .build();
        SseEvent same = SseEvent.builder()
                .id("1").type("add").data("d").retry(Duration.ofMillis(1000)).comment("c")
                .build();

        assertThat(full).isEqualTo(same).hasSameHashCodeAs(same);
        assertThat(full).isNotEqualTo(full.toBuilder().id("2").build());
        assertThat(full).isNotEqualTo(full.toBuilder().type("remove").build());
        assertThat(full).isNotEqualTo(full.toBuilder().data("e").build());
        assertThat(full).isNotEqualTo(full.toBuilder().retry(Duration.ofSeconds(2)).build());
        assertThat(full).isNotEqualTo(full.toBuilder().comment(null).build());
        assertThat(full).isNotEqualTo(null).isNotEqualTo("d");
    }

    @Test
    void toBuilderCopiesEveryFieldAndLeavesTheOriginalUnchanged() {
        SseEvent original = SseEvent.builder()
                .id("1").type("add").data("d").retry(Duration.ofSeconds(1)).comment("c")
                .build();

        SseEvent copy = original.toBuilder().build();
        SseEvent changed = original.toBuilder().data("e").id(null).build();

        assertThat(copy).isEqualTo(original);
        assertThat(changed.data()).isEqualTo("e");
        assertThat(changed.id()).isNull();
        assertThat(changed.type()).isEqualTo("add");
        assertThat(original.data()).isEqualTo("d");
    }

    @Test
    void toBuilderValidatesAgain() {
        SseEvent event = SseEvent.ofData("x");

        assertThatIllegalArgumentException()
                .isThrownBy(() -> event.toBuilder().data(null).build())
                .withMessage("an event needs at least one of id, type, data, retry, comment");
    }

    @Test
    void toStringShowsTheFieldsThatAreSetWithEscapes() {
        SseEvent event = SseEvent.builder()
                .id("7").data("a\nb").retry(Duration.ofMillis(1500))
                .build();

        assertThat(event).hasToString("SseEvent{id=\"7\", data=\"a\\nb\", retry=1500ms}");
        assertThat(SseEvent.builder().type("t").comment("c").build())
                .hasToString("SseEvent{type=\"t\", comment=\"c\"}");
    }
}
