package dev.ssecast.server.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "default", "A-Z_a.z:0/9", "orders/eu-west-1:v2"})
    void acceptsTopicsOfTheAllowedCharacters(String topic) {
        assertThat(Names.checkTopic(topic)).isEqualTo(topic);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a b", "a*", "caf\u00e9", "a\nb", "a\u2028b", "a?b", "a#b", "a%b"})
    void refusesTopicsOfOtherCharacters(String topic) {
        assertThatThrownBy(() -> Names.checkTopic(topic)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("topic must be 1..128 characters of [A-Za-z0-9._:/-], was \"");
    }

    @Test
    void topicsAreAtMost128Characters() {
        assertThat(Names.checkTopic("t".repeat(128))).hasSize(128);
        assertThatThrownBy(() -> Names.checkTopic("t".repeat(129)))
                .hasMessageEndingWith("... (129 chars)");
    }

    @Test
    void aSubscriptionHasAtMost32TopicsAndDefaultsToDefault() {
        assertThat(Names.subscriptionTopics(null)).containsExactly("default");
        List<String> topics = new ArrayList<>(Collections.nCopies(32, "t"));
        assertThat(Names.subscriptionTopics(topics)).hasSize(32);
        topics.add("t");
        assertThatThrownBy(() -> Names.subscriptionTopics(topics)).hasMessage("at most 32 topics, was 33");
    }

    @Test
    void aPublishHasOneTopicAndDefaultsToDefault() {
        assertThat(Names.publishTopic(null)).isEqualTo("default");
        assertThat(Names.publishTopic(List.of("x"))).isEqualTo("x");
        assertThatThrownBy(() -> Names.publishTopic(List.of("x", "y"))).hasMessage("a publish takes one topic, was 2");
    }

    @Test
    void eventNamesAreUpTo64CharactersWithoutSlashAndNotReset() {
        assertThat(Names.eventName(null)).isNull();
        assertThat(Names.eventName(List.of("price.update:v1_x-y"))).isEqualTo("price.update:v1_x-y");
        assertThat(Names.eventName(List.of("e".repeat(64)))).hasSize(64);
        assertThat(Names.eventName(List.of("Reset"))).isEqualTo("Reset");
        for (String bad : List.of("", "e".repeat(65), "a/b", "a b", "caf\u00e9")) {
            assertThatThrownBy(() -> Names.eventName(List.of(bad))).as(bad)
                    .hasMessageStartingWith("event must be 1..64 characters of [A-Za-z0-9._:-]");
        }
        assertThatThrownBy(() -> Names.eventName(List.of("reset"))).hasMessageContaining("reserved");
    }

    @Test
    void quotesValuesSafelyForMessages() {
        assertThat(Names.quote("a\"b\\c\nd\u00e9")).isEqualTo("\"a\\u0022b\\u005Cc\\u000Ad\\u00E9\"");
    }
}
