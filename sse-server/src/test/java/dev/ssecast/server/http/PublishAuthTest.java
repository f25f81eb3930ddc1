package dev.ssecast.server.http;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

class PublishAuthTest {
    private static final SocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 40000);
    private static final SocketAddress LOOPBACK_V6 = new InetSocketAddress("::1", 40000);
    private static final SocketAddress ELSEWHERE = new InetSocketAddress("192.0.2.10", 40000); // TEST-NET-1

    @Test
    void withoutATokenOnlyLoopbackPeersMayPublish() {
        PublishAuth auth = new PublishAuth(null);
        assertThat(auth.check(LOOPBACK, null)).isEqualTo(PublishAuth.Verdict.ALLOWED);
        assertThat(auth.check(LOOPBACK_V6, null)).isEqualTo(PublishAuth.Verdict.ALLOWED);
        assertThat(auth.check(ELSEWHERE, null)).isEqualTo(PublishAuth.Verdict.NOT_LOOPBACK);
        assertThat(auth.check(ELSEWHERE, "Bearer anything")).isEqualTo(PublishAuth.Verdict.NOT_LOOPBACK);
        assertThat(auth.mode(LOOPBACK)).isEqualTo(PublishAuth.Mode.OPEN);
        assertThat(auth.mode(ELSEWHERE)).isEqualTo(PublishAuth.Mode.CLOSED);
    }

    @Test
    void withATokenEveryPeerNeedsIt() {
        PublishAuth auth = new PublishAuth("s3cret");
        assertThat(auth.check(LOOPBACK, null)).isEqualTo(PublishAuth.Verdict.MISSING_TOKEN);
        assertThat(auth.check(ELSEWHERE, "Bearer s3cret")).isEqualTo(PublishAuth.Verdict.ALLOWED);
        assertThat(auth.check(ELSEWHERE, "bEaReR  s3cret ")).isEqualTo(PublishAuth.Verdict.ALLOWED);
        assertThat(auth.check(ELSEWHERE, "Bearer s3cre")).isEqualTo(PublishAuth.Verdict.WRONG_TOKEN);
        assertThat(auth.check(ELSEWHERE, "Bearer s3cret2")).isEqualTo(PublishAuth.Verdict.WRONG_TOKEN);
        assertThat(auth.check(ELSEWHERE, "Basic s3cret")).isEqualTo(PublishAuth.Verdict.MISSING_TOKEN);
        assertThat(auth.check(ELSEWHERE, "Bearer")).isEqualTo(PublishAuth.Verdict.MISSING_TOKEN);
        assertThat(auth.check(ELSEWHERE, "Bearers3cret")).isEqualTo(PublishAuth.Verdict.MISSING_TOKEN);
        assertThat(auth.mode(ELSEWHERE)).isEqualTo(PublishAuth.Mode.TOKEN);
    }

    @Test
    void readsTheBearerCredentials() {
        assertThat(PublishAuth.bearerToken("Bearer abc")).isEqualTo("abc");
        assertThat(PublishAuth.bearerToken("bearer\tabc")).isNull();
        assertThat(PublishAuth.bearerToken("Token abc")).isNull();
        assertThat(PublishAuth.bearerToken(null)).isNull();
    }
}
