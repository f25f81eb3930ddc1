package dev.ssecast.server;

import dev.ssecast.server.auth.Tokens;
import ch.qos.logback.classic.Level;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Who may read which topic with a JWT key configured: every rule of admission, over a real socket. */
@Timeout(60)
class JwtStreamIT {
    @TempDir
    static Path dir;
    static Path keyFile;
    static TestServer server;
    static final String PUBLISH_TOKEN = "publish-token-0123456789";
    static final String[] AUTH = {"Authorization", "Bearer " + PUBLISH_TOKEN};

    @BeforeAll
    static void start() throws Exception {
        keyFile = Files.writeString(dir.resolve("jwt.key"), Tokens.SECRET + "\n");
        server = TestServer.start("--jwt-key-file", keyFile.toString(), "--jwt-leeway", "0s",
                "--public-topics", "default,open/*", "--publish-token", PUBLISH_TOKEN, "--cors-origin", "https://app.example,https://other.example");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String token(List<String> subscribe, Duration lifetime) {
        return Tokens.hs256(Tokens.claims(lifetime, subscribe, List.of()).build());
    }

    private static RawConnection.Response get(String target, String... headers) throws Exception {
        try (RawConnection raw = server.raw()) {
            StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Accept: text/event-stream\r\n");
            for (String header : headers) {
                request.append(header).append("\r\n");
            }
            RawConnection.Response response = raw.send(request.append("\r\n").toString()).readResponse();
            if (response.status() != 200) {
                assertThat(raw.isClosedByServer()).as("a refusal closes the connection").isTrue();
            }
            return response;
        }
    }

    @Test
    void refusesAStreamWithoutATokenWith401AndServesNoReplay() throws Exception {
        server.publish("secret", "must-not-leak", AUTH);
        server.awaitTicked();
        RawConnection.Response response = get("/events?topic=secret", "Last-Event-ID: 0");
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.headers().get("www-authenticate")).isEqualTo(
                "Bearer realm=\"ssecast\", error=\"invalid_token\"");
        assertThat(response.body()).isEqualTo("topic secret needs a token\n").doesNotContain("must-not-leak");
        assertThat(server.get("/metrics").body()).containsPattern(
                "ssecast_requests_refused_total\\{reason=\"unauthorized\"} [1-9]");
    }

    @Test
    void refusesABadSignatureAndAnExpiredTokenWith401() throws Exception {
        String otherSecret = Tokens.hmac(com.nimbusds.jose.JWSAlgorithm.HS256, "x".repeat(32),
                Tokens.claims(Duration.ofMinutes(5), List.of("a"), List.of()).build());
        String expired = token(List.of("a"), Duration.ofSeconds(-5));
        for (String bad : List.of(otherSecret, expired, "not-a-jwt")) {
            RawConnection.Response response = get("/events?topic=a", "Authorization: Bearer " + bad);
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.headers().get("www-authenticate")).contains("error=\"invalid_token\"");
            assertThat(response.body()).startsWith("invalid token: ").doesNotContain(bad);
        }
    }

    @Test
    void refusesATokenWhoseGrantsDoNotCoverEveryTopicWith403NamingTheFirst() throws Exception {
        server.publish("b", "must-not-leak", AUTH);
        server.awaitTicked();
        RawConnection.Response response = get("/events?topic=a&topic=b&topic=c",
                "Authorization: Bearer " + token(List.of("a"), Duration.ofMinutes(5)), "Last-Event-ID: 0");
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.headers().get("www-authenticate")).isEqualTo(
                "Bearer realm=\"ssecast\", error=\"insufficient_scope\"");
        assertThat(response.body()).isEqualTo("the token does not grant subscribing to topic b\n");
    }

    @Test
    void streamsTheTopicsAGrantCoversExactlyOrByPrefix() throws Exception {
        String token = token(List.of("news/*", "prices"), Duration.ofMinutes(5));
        try (EventStream stream = server.stream("/events?topic=news/eu&topic=prices&topic=open/x",
                Map.of("Authorization", "Bearer " + token))) {
            assertThat(stream.response().statusCode()).isEqualTo(200);
            stream.awaitRetry();
            server.publish("news/eu", "n1", AUTH);
            server.publish("prices", "p1", AUTH);
            assertThat(stream.awaitEvents(2)).extracting(e -> e.data()).containsExactly("n1", "p1");
        }
    }

    @Test
    void readsPublicTopicsWithoutAToken() throws Exception {
        try (EventStream stream = server.stream("/events?topic=default&topic=open/news")) {
            assertThat(stream.response().statusCode()).isEqualTo(200);
            stream.awaitRetry();
            server.publish("open/news", "o1", AUTH);
            assertThat(stream.awaitEvent().data()).isEqualTo("o1");
        }
    }

    @Test
    void endsTheStreamBeforeItsTokenExpiresWithARetry() throws Exception {
        try (EventStream stream = EventStream.open(java.net.http.HttpClient.newHttpClient(), server.base(),
                "/events?topic=a", Map.of("Authorization", "Bearer " + token(List.of("a"), Duration.ofSeconds(2))))) {
            assertThat(stream.response().statusCode()).isEqualTo(200);
            assertThat(stream.awaitRetry()).isEqualTo(Duration.ofMillis(3000));
            assertThat(stream.awaitRetry()).as("the stream's end says when to come back")
                    .isEqualTo(Duration.ofMillis(3000));
            stream.awaitEnd();
        }
    }

    @Test
    void readsTheTokenFromTheCookieButNotCrossOriginUnlessTheOriginIsListed() throws Exception {
        String cookie = "Cookie: theme=dark; ssecast_token=" + token(List.of("a"), Duration.ofMinutes(5));
        assertThat(get("/events?topic=a", cookie).status()).isEqualTo(200);
        assertThat(get("/events?topic=a", cookie, "Origin: http://localhost").status()).as("same origin")
                .isEqualTo(200);

        RawConnection.Response listed = get("/events?topic=a", cookie, "Origin: https://app.example");
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.headers()).containsEntry("access-control-allow-origin", "https://app.example")
                .containsEntry("access-control-allow-credentials", "true").containsEntry("vary", "origin");

        RawConnection.Response unlisted = get("/events?topic=a", cookie, "Origin: https://evil.example");
        assertThat(unlisted.status()).isEqualTo(401);
        assertThat(unlisted.headers()).doesNotContainKey("access-control-allow-origin").containsEntry("vary",
                "origin");
    }

    @Test
    void logsNoTokenFromAHeaderACookieOrTheQueryEvenAtDebug() throws Exception {
        String good = token(List.of("a"), Duration.ofMinutes(5));
        String bad = Tokens.hmac(com.nimbusds.jose.JWSAlgorithm.HS256, "y".repeat(32),
                Tokens.claims(Duration.ofMinutes(5), List.of("a"), List.of()).build());
        try (LogCapture logs = new LogCapture(Level.DEBUG)) {
            for (String token : List.of(good, bad)) {
                get("/events?topic=a", "Authorization: Bearer " + token);
                get("/events?topic=a", "Cookie: ssecast_token=" + token);
                get("/events?topic=a&access_token=" + token);
                try (RawConnection raw = server.raw()) {
                    raw.send("POST /events?topic=a&access_token=" + token + " HTTP/1.1\r\nHost: localhost\r\n"
                            + "Authorization: Bearer " + token + "\r\nContent-Length: 1\r\n\r\nx").readResponse();
                }
            }
            assertThat(logs.lines()).noneMatch(line -> line.contains(good) || line.contains(bad)
                    || line.contains(good.substring(0, good.indexOf('.'))));
        }
    }

    @Test
    void readsTheQueryTokenOnlyWhenAllowed() throws Exception {
        String query = "/events?topic=a&access_token=" + token(List.of("a"), Duration.ofMinutes(5));
        assertThat(get(query).status()).isEqualTo(401);
        try (TestServer allowing = TestServer.start("--jwt-key-file", keyFile.toString(), "--allow-query-token");
             RawConnection raw = allowing.raw()) {
            RawConnection.Response response = raw.send("GET " + query + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .readResponse();
            assertThat(response.status()).isEqualTo(200);
        }
    }

    @Test
    void verifiesTokensWithTheKeysOfAJwksUrlFetchedInTheBackground() throws Exception {
        KeyPair ec = Tokens.ec("secp256r1");
        byte[] jwks = new JWKSet(new ECKey.Builder(Curve.P_256, (ECPublicKey) ec.getPublic()).keyID("k1").build())
                .toString().getBytes(StandardCharsets.UTF_8);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/jwks.json", exchange -> {
            exchange.sendResponseHeaders(200, jwks.length);
            exchange.getResponseBody().write(jwks);
            exchange.close();
        });
        http.start();
        String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/jwks.json";
        String token = Tokens.es256(ec, "k1", Tokens.claims(Duration.ofMinutes(5), List.of("a"), List.of()).build());
        try (TestServer remote = TestServer.start("--jwks-url", url)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (RawConnection raw = remote.raw()) {
                    return raw.send("GET /events?topic=a HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                            + token + "\r\n\r\n").readResponse().status() == 200;
                }
            });
        } finally {
            http.stop(0);
        }
    }

    @Test
    void answersThePreflightOfAListedOriginWithCredentials() throws Exception {
        try (RawConnection raw = server.raw()) {
            RawConnection.Response listed = raw.send("OPTIONS /events HTTP/1.1\r\nHost: localhost\r\n"
                    + "Origin: https://other.example\r\nAccess-Control-Request-Method: GET\r\n\r\n").readResponse();
            assertThat(listed.status()).isEqualTo(204);
            assertThat(listed.headers()).containsEntry("access-control-allow-origin", "https://other.example")
                    .containsEntry("access-control-allow-credentials", "true").containsEntry("vary", "origin");
            RawConnection.Response unlisted = raw.send("OPTIONS /events HTTP/1.1\r\nHost: localhost\r\n"
                    + "Origin: https://evil.example\r\nAccess-Control-Request-Method: GET\r\n\r\n").readResponse();
            assertThat(unlisted.headers()).doesNotContainKey("access-control-allow-origin")
                    .doesNotContainKey("access-control-allow-credentials");
        }
    }
}
