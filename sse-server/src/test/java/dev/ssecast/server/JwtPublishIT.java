package dev.ssecast.server;

import dev.ssecast.server.auth.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Who may publish which topic with a JWT key configured. */
@Timeout(60)
class JwtPublishIT {
    static final String PUBLISH_TOKEN = "publish-token-0123456789";
    @TempDir
    static Path dir;
    static KeyPair rsa;
    static Path pem;
    static TestServer server;

    @BeforeAll
    static void start() {
        rsa = Tokens.rsa(2048);
        pem = Tokens.pem(dir.resolve("rsa.pem"), rsa.getPublic());
        server = TestServer.start("--jwt-public-key", pem.toString(), "--publish-token", PUBLISH_TOKEN);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String publisher(List<String> publish) {
        return Tokens.rs256(rsa, null, Tokens.claims(Duration.ofMinutes(5), List.of(), publish).build());
    }

    private static RawConnection.Response post(RawConnection raw, String topic, String... headers) throws Exception {
        StringBuilder request = new StringBuilder("POST /events?topic=" + topic + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Length: 1\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        return raw.send(request.append("\r\nx").toString()).readResponse();
    }

    @Test
    void publishesWithAGrantToItsTopicsOnlyAndARefusalClosesTheConnection() throws Exception {
        String token = publisher(List.of("p/*"));
        try (RawConnection raw = server.raw()) {
            assertThat(post(raw, "p/x", "Authorization: Bearer " + token).status()).isEqualTo(202);
            RawConnection.Response refused = post(raw, "q", "Authorization: Bearer " + token);
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.headers().get("www-authenticate")).contains("error=\"insufficient_scope\"");
            assertThat(refused.body()).isEqualTo("the token does not grant publishing to topic q\n");
            assertThat(refused.headers().get("connection")).isEqualTo("close");
            assertThat(raw.isClosedByServer()).isTrue();
        }
    }

    @Test
    void refusesASubscribeOnlyTokenAndABadOneWith401Or403() throws Exception {
        String subscriber = Tokens.rs256(rsa, null, Tokens.claims(Duration.ofMinutes(5), List.of("p"), List.of())
                .build());
        try (RawConnection raw = server.raw()) {
            assertThat(post(raw, "p", "Authorization: Bearer " + subscriber).status()).isEqualTo(403);
        }
        String hs = Tokens.hs256(Tokens.claims(Duration.ofMinutes(5), List.of(), List.of("p")).build());
        try (RawConnection raw = server.raw()) {
            RawConnection.Response response = post(raw, "p", "Authorization: Bearer " + hs);
            assertThat(response.status()).as("an HS256 token where only an RSA key is configured").isEqualTo(401);
            assertThat(response.headers().get("www-authenticate")).contains("error=\"invalid_token\"");
        }
    }

    @Test
    void neverTakesACookieForAPublishAndLoopbackIsNoException() throws Exception {
        try (RawConnection raw = server.raw()) {
            assertThat(post(raw, "p", "Cookie: ssecast_token=" + publisher(List.of("p"))).status()).isEqualTo(401);
        }
        try (RawConnection raw = server.raw()) {
            assertThat(post(raw, "p").status()).as("a loopback peer without a token").isEqualTo(401);
        }
        try (RawConnection raw = server.raw()) {
            assertThat(post(raw, "anything", "Authorization: Bearer " + PUBLISH_TOKEN).status()).isEqualTo(202);
        }
    }

    @Test
    void answers429FromTheTwentiethRefusalOfAnAddressInAMinute() throws Exception {
        try (TestServer limited = TestServer.start("--jwt-public-key", pem.toString())) {
            for (int i = 0; i < 20; i++) {
                try (RawConnection raw = limited.raw()) {
                    assertThat(post(raw, "p", "Authorization: Bearer wrong").status()).as("refusal %d", i)
                            .isEqualTo(401);
                }
            }
            try (RawConnection raw = limited.raw()) {
                RawConnection.Response limitedResponse = post(raw, "p", "Authorization: Bearer "
                        + publisher(List.of("p")));
                assertThat(limitedResponse.status()).as("even a good token, from that address").isEqualTo(429);
                assertThat(limitedResponse.headers()).containsEntry("retry-after", "60");
                assertThat(raw.isClosedByServer()).isTrue();
            }
            String metrics = limited.get("/metrics").body();
            assertThat(metrics).contains("ssecast_requests_refused_total{reason=\"unauthorized\"} 20.0")
                    .contains("ssecast_requests_refused_total{reason=\"auth-rate\"} 1.0");
        }
    }
}
