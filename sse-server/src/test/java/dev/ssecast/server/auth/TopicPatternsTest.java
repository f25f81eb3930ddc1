package dev.ssecast.server.auth;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicPatternsTest {

    @Test
    void coversExactTopicsAndPrefixesEndingInAStar() {
        TopicPatterns patterns = TopicPatterns.parse("default, news/*,prices");
        assertThat(patterns.covers("default")).isTrue();
        assertThat(patterns.covers("news/eu")).isTrue();
        assertThat(patterns.covers("news/")).isTrue();
        assertThat(patterns.covers("news")).isFalse();
        assertThat(patterns.covers("prices")).isTrue();
        assertThat(patterns.covers("prices2")).isFalse();
        assertThat(patterns.covers("defaults")).isFalse();
        assertThat(TopicPatterns.parse("*").covers("anything")).isTrue();
    }

    @Test
    void coversNothingWhenEmpty() {
        assertThat(TopicPatterns.parse("").covers("default")).isFalse();
        assertThat(TopicPatterns.parse(null).isEmpty()).isTrue();
    }

    @Test
    void refusesAStarAnywhereButAtTheEnd() {
        assertThatThrownBy(() -> TopicPatterns.parse("a*b"))
                .hasMessage("a topic pattern is a topic or a prefix ending in *, was a*b");
    }

    @Test
    void readsGrantsFromTheSsecastClaimAndGrantsNothingWhenItIsMalformed() {
        Grants grants = Grants.of(Tokens.claims(Duration.ofMinutes(1), List.of("a", "news/*"), List.of("p")).build());
        assertThat(grants.maySubscribe("a")).isTrue();
        assertThat(grants.maySubscribe("news/x")).isTrue();
        assertThat(grants.maySubscribe("p")).isFalse();
        assertThat(grants.mayPublish("p")).isTrue();
        assertThat(grants.mayPublish("a")).isFalse();

        Grants text = Grants.of(Tokens.claims(Duration.ofMinutes(1), List.of(), List.of()).claim("ssecast", "all")
                .build());
        assertThat(text.maySubscribe("a")).isFalse();
        Grants wrongShape = Grants.of(Tokens.claims(Duration.ofMinutes(1), List.of(), List.of())
                .claim("ssecast", Map.of("subscribe", "a", "publish", List.of(1, "a*b", "ok"))).build());
        assertThat(wrongShape.maySubscribe("a")).isFalse();
        assertThat(wrongShape.mayPublish("ok")).isTrue();
        assertThat(wrongShape.mayPublish("ab")).isFalse();
    }
}
