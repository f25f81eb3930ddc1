package dev.ssecast.server.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AuthorizerTest {
    private final Authorizer authorizer = Authorizer.builder()
            .keys(new TokenKeys().addHmacSecret(Tokens.SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
            .leeway(Duration.ofSeconds(30))
            .build();

    @RepeatedTest(20)
    void endsAStreamWithinTheLastTenthOfItsTokensLifetimeBeforeExpiryPlusLeeway() {
        Instant iat = Instant.parse("2026-01-01T00:00:00Z");
        Instant exp = iat.plus(Duration.ofMinutes(5));
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issueTime(Date.from(iat)).expirationTime(Date.from(exp))
                .build();
        Instant deadline = authorizer.deadline(claims, iat.plusSeconds(10));
        assertThat(deadline).isBetween(exp.plusSeconds(30).minusSeconds(30), exp.plusSeconds(30));
    }

    @Test
    void spreadsTheEndsOfStreamsWhoseTokensWereMintedTogetherAndNeverEndsThemMoreThan60sEarly() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        Instant exp = now.plus(Duration.ofHours(2)); // a tenth is 12 minutes: capped at 60 s
        JWTClaimsSet claims = new JWTClaimsSet.Builder().expirationTime(Date.from(exp)).build(); // no iat
        Set<Instant> deadlines = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Instant deadline = authorizer.deadline(claims, now);
            assertThat(deadline).isBetween(exp.plusSeconds(30).minusSeconds(60), exp.plusSeconds(30));
            deadlines.add(deadline);
        }
        assertThat(deadlines).as("not all at one moment").hasSizeGreaterThan(100);
    }

    @Test
    void isOpenWithoutAKey() {
        assertThat(Authorizer.builder().build().enabled()).isFalse();
        assertThat(authorizer.enabled()).isTrue();
    }

    @Test
    void readsBearerCredentialsInAnyCaseOfTheScheme() {
        assertThat(Authorizer.bearerToken("Bearer abc")).isEqualTo("abc");
        assertThat(Authorizer.bearerToken("bEaReR  abc ")).isEqualTo("abc");
        assertThat(Authorizer.bearerToken("bearer\tabc")).isNull();
        assertThat(Authorizer.bearerToken("Token abc")).isNull();
        assertThat(Authorizer.bearerToken(null)).isNull();
    }
}
