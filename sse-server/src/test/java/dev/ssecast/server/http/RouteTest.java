package dev.ssecast.server.http;

import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RouteTest {

    @Test
    void findsThePathOfOriginAndAbsoluteFormTargets() {
        assertThat(Route.rawPath("/events?topic=a")).isEqualTo("/events");
        assertThat(Route.rawPath("/events#x")).isEqualTo("/events");
        assertThat(Route.rawPath("/")).isEqualTo("/");
        assertThat(Route.rawPath("http://host:8080/metrics?x")).isEqualTo("/metrics");
        assertThat(Route.rawPath("http://host")).isEqualTo("/");
        assertThat(Route.rawPath("*")).isNull();
        assertThat(Route.rawPath("host:443")).isNull();
    }

    @Test
    void matchesWholePathsOnly() {
        assertThat(Route.of("/events")).isEqualTo(Route.EVENTS);
        assertThat(Route.of("/events/")).isNull();
        assertThat(Route.of("/Events")).isNull();
        assertThat(Route.of("")).isNull();
    }

    @Test
    void listsTheMethodsEachRouteAllows() {
        assertThat(Route.EVENTS.allow()).isEqualTo("GET, POST, OPTIONS");
        assertThat(Route.HEALTHZ.allows(HttpMethod.HEAD)).isTrue();
        assertThat(Route.METRICS.allows(HttpMethod.POST)).isFalse();
    }
}
