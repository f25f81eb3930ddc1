package dev.ssecast.server.http;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PublishAuthTest {
    private static final SocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 40000);
    private static final SocketAddress LOOPBACK_V6 = new InetSocketAddress("::1", 40000);
    private static final SocketAddress ELSEWHERE = new InetSocketAddress("192.0.2.10", 40000); // TEST-NET-1

    private static PublishAuth.Verdict check(PublishAuth auth, SocketAddress peer, String authorization) {
        return auth.check(peer, authorization, "localhost:8080", null);
    }

    @Test
    void withoutATokenOnlyLoopbackPeersMayPublish() {
        PublishAuth auth = new PublishAuth(null, false, Set.of());
        assertThat(check(auth, LOOPBACK, null)).isEqualTo(PublishAuth.Verdict.ALLOWED);
        assertThat(check(auth, LOOPBACK_V6, null)).isEqualTo(PublishAuth.Verdict.ALLOWED);
        assertThat(check(auth, ELSEWHERE, null)).isEqualTo(PublishAuth.Verdict.NOT_LOOPBACK);
        assertThat(check(auth, ELSEWHERE, "Bearer anything")).isEqualTo(PublishAuth.Verdict.NOT_LOOPBACK);
        assertThat(auth.mode(LOOPBACK)).isEqualTo(PublishAuth.Mode.OPEN);
        assertThat(auth.mode(ELSEWHERE)).isEqualTo(PublishAuth.Mode.CLOSED);
    }

    @Test
    void withATokenEveryPeerNeedsIt() {
        PublishAuth auth = new PublishAuth("s3cret", false, Set.of());
        assertThat(check(auth, LOOPBACK, null)).isEqualTo(PublishAuth.Verdict.MISSING_TOKEN);
        assertThat(check(auth, ELSEWHERE, "Bearer s3cret")).isEqualTo(PublishAuth.Verdict.ALLOWED);
        assertThat(check(auth, ELSEWHERE, "bEaReR  s3cret ")).isEqualTo(PublishAuth.Verdict.ALLOWED);
        assertThat(check(auth, ELSEWHERE, "Bearer s3cre")).isEqualTo(PublishAuth.Verdict.WRONG_TOKEN);
        assertThat(check(auth, ELSEWHERE, "Bearer s3cret2")).isEqualTo(PublishAuth.Verdict.WRONG_TOKEN);
        assertThat(check(auth, ELSEWHERE, "Basic s3cret")).isEqualTo(PublishAuth.Verdict.MISSING_TOKEN);
        assertThat(check(auth, ELSEWHERE, "Bearer")).isEqualTo(PublishAuth.Verdict.MISSING_TOKEN);
        assertThat(check(auth, ELSEWHERE, "Bearers3cret")).isEqualTo(PublishAuth.Verdict.MISSING_TOKEN);
        assertThat(auth.mode(ELSEWHERE)).isEqualTo(PublishAuth.Mode.TOKEN);
    }

    @Test
    void withAJwtKeyAnyOtherBearerTokenIsJudgedByItsGrantsAndLoopbackIsNoException() {
        PublishAuth auth = new PublishAuth("s3cret-publish-token", true, Set.of());
        assertThat(check(auth, LOOPBACK, null)).isEqualTo(PublishAuth.Verdict.MISSING_TOKEN);
        assertThat(check(auth, LOOPBACK, "Bearer s3cret-publish-token")).isEqualTo(PublishAuth.Verdict.ALLOWED);
        assertThat(check(auth, LOOPBACK, "Bearer eyJ.x.y")).isEqualTo(PublishAuth.Verdict.BY_GRANT);
        assertThat(new PublishAuth(null, true, Set.of()).isLoopbackMode()).isFalse();
    }

    @Test
    void inLoopbackModeAWebPageOrARebindingNameMayNotPublish() {
        PublishAuth auth = new PublishAuth(null, false, Set.of("http://localhost:3000"));
        assertThat(auth.check(LOOPBACK, null, "127.0.0.1:8080", "http://evil.example"))
                .isEqualTo(PublishAuth.Verdict.CROSS_ORIGIN);
        assertThat(auth.check(LOOPBACK, null, "127.0.0.1:8080", "null")).isEqualTo(PublishAuth.Verdict.CROSS_ORIGIN);
        assertThat(auth.check(LOOPBACK, null, "127.0.0.1:8080", "http://localhost:3000"))
                .isEqualTo(PublishAuth.Verdict.ALLOWED);
        assertThat(auth.check(LOOPBACK, null, "127.0.0.1:8080", "http://127.0.0.1:8080")).as("its own live page")
                .isEqualTo(PublishAuth.Verdict.ALLOWED);
        assertThat(auth.check(LOOPBACK, null, "127.0.0.1:8080", "http://127.0.0.1:8081"))
                .isEqualTo(PublishAuth.Verdict.CROSS_ORIGIN);
        assertThat(auth.check(LOOPBACK, null, "evil.example:8080", null))
                .isEqualTo(PublishAuth.Verdict.NOT_LOOPBACK_HOST);
    }

    @Test
    void knowsLoopbackHostNamesWithoutLookingThemUp() {
        for (String host : new String[] {"localhost", "LOCALHOST:8080", "app.localhost", "127.0.0.1",
                "127.1.2.3:80", "[::1]", "[::1]:8080", "localhost."}) {
            assertThat(PublishAuth.isLoopbackHost(host)).as(host).isTrue();
        }
        for (String host : new String[] {"evil.example", "127.0.0.1.evil.example", "10.0.0.1", "[::2]",
                "localhost.evil.example", "0x7f000001", "2130706433"}) {
            assertThat(PublishAuth.isLoopbackHost(host)).as(host).isFalse();
        }
    }
}
