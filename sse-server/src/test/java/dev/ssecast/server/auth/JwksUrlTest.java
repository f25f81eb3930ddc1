package dev.ssecast.server.auth;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A JWK set served by the test on loopback, fetched in the background. */
@Timeout(30)
class JwksUrlTest {
    private static final JWTClaimsSet CLAIMS = Tokens.claims(Duration.ofMinutes(5), List.of("a"), List.of()).build();

    private final List<JWK> served = new CopyOnWriteArrayList<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private HttpServer http;
    private JwksUrl jwks;

    private URL serve() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/jwks.json", exchange -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            fetches.incrementAndGet();
            byte[] body = new JWKSet(List.copyOf(served)).toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        return new URL("http://127.0.0.1:" + http.getAddress().getPort() + "/jwks.json");
    }

    @AfterEach
    void stop() {
        if (jwks != null) {
            jwks.close();
        }
        gate.countDown();
        if (http != null) {
            http.stop(0);
        }
    }

    private static ECKey publicJwk(KeyPair ec, String kid) {
        return new ECKey.Builder(Curve.P_256, (ECPublicKey) ec.getPublic()).keyID(kid).build();
    }

    private TokenVerifier verifier(URL url) {
        jwks = new JwksUrl(url, Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofMinutes(1));
        return new TokenVerifier(new TokenKeys().addJwksUrl(jwks), null, null, Duration.ofSeconds(60));
    }

    @Test
    void findsARotatedKeyWithoutEverBlockingTheCallerOnTheFetch() throws Exception {
        KeyPair first = Tokens.ec("secp256r1");
        KeyPair second = Tokens.ec("secp256r1");
        served.add(publicJwk(first, "k1"));
        gate = new CountDownLatch(1); // the server answers nothing until the test lets it
        TokenVerifier verifier = verifier(serve());
        jwks.start();
        String firstToken = Tokens.es256(first, "k1", CLAIMS);
        assertThatThrownBy(() -> verifier.verify(firstToken)).as("refused at once while the fetch hangs")
                .isInstanceOf(TokenVerifier.BadTokenException.class);
        gate.countDown();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> verifier.verify(firstToken) != null);

        served.add(publicJwk(second, "k2"));
        String secondToken = Tokens.es256(second, "k2", CLAIMS);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> verifier.verify(secondToken) != null);
        assertThat(verifier.verify(firstToken)).isNotNull();
        int before = fetches.get();
        String unknown = Tokens.es256(Tokens.ec("secp256r1"), "nobody", CLAIMS);
        for (int i = 0; i < 200; i++) {
            assertThatThrownBy(() -> verifier.verify(unknown)).isInstanceOf(TokenVerifier.BadTokenException.class);
        }
        assertThat(fetches.get() - before).as("fetches for 200 unknown kids, within the rate limit")
                .isLessThan(20);
    }
}
