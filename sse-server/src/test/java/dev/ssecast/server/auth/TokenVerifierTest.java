package dev.ssecast.server.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenVerifierTest {
    private static final Duration LEEWAY = Duration.ofSeconds(60);
    private static final JWTClaimsSet VALID = Tokens.claims(Duration.ofMinutes(5), List.of("a"), List.of()).build();

    @TempDir
    Path dir;

    private static TokenVerifier verifier(TokenKeys keys) {
        return new TokenVerifier(keys, null, null, LEEWAY);
    }

    private static TokenVerifier hmacVerifier(String secret) {
        return verifier(new TokenKeys().addHmacSecret(secret.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void verifiesEachHsAlgorithmItsSecretIsLongEnoughFor() throws Exception {
        TokenVerifier all = hmacVerifier(Tokens.SECRET);
        for (JWSAlgorithm alg : List.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512)) {
            assertThat(all.verify(Tokens.hmac(alg, Tokens.SECRET, VALID)).getSubject()).as(alg.getName())
                    .isEqualTo("test");
        }
        String secret32 = Tokens.SECRET.substring(0, 32);
        TokenVerifier only256 = hmacVerifier(secret32);
        assertThat(only256.verify(Tokens.hmac(JWSAlgorithm.HS256, secret32, VALID)).getSubject()).isEqualTo("test");
        assertThatThrownBy(() -> only256.verify(Tokens.hmac(JWSAlgorithm.HS384, Tokens.SECRET.substring(0, 48),
                VALID))).isInstanceOf(TokenVerifier.BadTokenException.class);
    }

    @Test
    void refusesASecretShorterThan32Bytes() {
        assertThatThrownBy(() -> new TokenKeys().addHmacSecret(new byte[31]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an HMAC secret must be at least 32 bytes for HS256 (48 for HS384, 64 for HS512; "
                        + "RFC 7518 3.2), was 31 bytes");
    }

    @Test
    void refusesABadSignatureAnAlgNoneAndAnExpiredToken() {
        TokenVerifier verifier = hmacVerifier(Tokens.SECRET);
        String token = Tokens.hs256(VALID);
        String forged = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA" + token.substring(
                token.lastIndexOf('.') + 5);
        assertThatThrownBy(() -> verifier.verify(forged)).isInstanceOf(TokenVerifier.BadTokenException.class);
        String none = new PlainJWT(new PlainHeader(), VALID).serialize();
        assertThatThrownBy(() -> verifier.verify(none)).isInstanceOf(TokenVerifier.BadTokenException.class);
        JWTClaimsSet expired = new JWTClaimsSet.Builder(VALID)
                .expirationTime(Date.from(Instant.now().minusSeconds(61))).build();
        assertThatThrownBy(() -> verifier.verify(Tokens.hs256(expired)))
                .isInstanceOf(TokenVerifier.BadTokenException.class);
        assertThatThrownBy(() -> verifier.verify("not.a.jwt")).isInstanceOf(TokenVerifier.BadTokenException.class);
    }

    @Test
    void requiresExpHonoursNbfAndAllowsTheLeeway() throws Exception {
        TokenVerifier verifier = hmacVerifier(Tokens.SECRET);
        JWTClaimsSet noExp = new JWTClaimsSet.Builder(VALID).expirationTime(null).build();
        assertThatThrownBy(() -> verifier.verify(Tokens.hs256(noExp)))
                .isInstanceOf(TokenVerifier.BadTokenException.class);
        JWTClaimsSet later = new JWTClaimsSet.Builder(VALID).notBeforeTime(Date.from(Instant.now().plusSeconds(120)))
                .build();
        assertThatThrownBy(() -> verifier.verify(Tokens.hs256(later)))
                .isInstanceOf(TokenVerifier.BadTokenException.class);
        JWTClaimsSet justExpired = new JWTClaimsSet.Builder(VALID)
                .expirationTime(Date.from(Instant.now().minusSeconds(20))).build();
        assertThat(verifier.verify(Tokens.hs256(justExpired))).isNotNull(); // within the 60 s leeway
    }

    @Test
    void checksTheAudienceAndIssuerWhenSet() throws Exception {
        TokenVerifier verifier = new TokenVerifier(new TokenKeys().addHmacSecret(
                Tokens.SECRET.getBytes(StandardCharsets.UTF_8)), "ssecast", "https://issuer.example", LEEWAY);
        JWTClaimsSet right = new JWTClaimsSet.Builder(VALID).audience("ssecast").issuer("https://issuer.example")
                .build();
        assertThat(verifier.verify(Tokens.hs256(right))).isNotNull();
        for (JWTClaimsSet wrong : List.of(VALID,
                new JWTClaimsSet.Builder(right).audience("other").build(),
                new JWTClaimsSet.Builder(right).issuer("https://evil.example").build())) {
            assertThatThrownBy(() -> verifier.verify(Tokens.hs256(wrong)))
                    .isInstanceOf(TokenVerifier.BadTokenException.class);
        }
    }

    @Test
    void verifiesRs256WithA2048BitPemKeyAndRefusesAShorterOne() throws Exception {
        KeyPair rsa = Tokens.rsa(2048);
        TokenVerifier verifier = verifier(new TokenKeys().addPublicKey(Tokens.pem(dir.resolve("rsa.pem"),
                rsa.getPublic())));
        assertThat(verifier.verify(Tokens.rs256(rsa, null, VALID))).isNotNull();

        Path small = Tokens.pem(dir.resolve("small.pem"), Tokens.rsa(1024).getPublic());
        assertThatThrownBy(() -> new TokenKeys().addPublicKey(small)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("an RSA key must have at least 2048 bits, was 1024 bits");
    }

    @Test
    void verifiesEs256WithAP256PemKeyAndRefusesAnotherCurve() throws Exception {
        KeyPair ec = Tokens.ec("secp256r1");
        TokenVerifier verifier = verifier(new TokenKeys().addPublicKey(Tokens.pem(dir.resolve("ec.pem"),
                ec.getPublic())));
        assertThat(verifier.verify(Tokens.es256(ec, null, VALID))).isNotNull();

        Path p384 = Tokens.pem(dir.resolve("p384.pem"), Tokens.ec("secp384r1").getPublic());
        assertThatThrownBy(() -> new TokenKeys().addPublicKey(p384)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("an EC key must be on P-256 (ES256), was P-384");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "hello");
        assertThatThrownBy(() -> new TokenKeys().addPublicKey(garbage)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("must be a PEM public key");
    }

    @Test
    void refusesAKeyOfTheWrongKindForTheAlg() throws Exception {
        KeyPair rsa = Tokens.rsa(2048);
        Path pem = Tokens.pem(dir.resolve("rsa.pem"), rsa.getPublic());
        TokenVerifier verifier = verifier(new TokenKeys().addPublicKey(pem));
        // The classic confusion: HS256 "signed" with the public key's bytes as the HMAC secret.
        byte[] publicBytes = Files.readAllBytes(pem);
        String confused = Tokens.sign(new MACSigner(publicBytes), new JWSHeader(JWSAlgorithm.HS256), VALID);
        assertThatThrownBy(() -> verifier.verify(confused)).isInstanceOf(TokenVerifier.BadTokenException.class);
        KeyPair ec = Tokens.ec("secp256r1");
        assertThatThrownBy(() -> verifier.verify(Tokens.es256(ec, null, VALID)))
                .isInstanceOf(TokenVerifier.BadTokenException.class);
    }

    @Test
    void picksUpANewKeyWhenTheJwksFileIsRotatedAndKeepsTheOldSetWhenItDoesNotParse() throws Exception {
        KeyPair first = Tokens.rsa(2048);
        KeyPair second = Tokens.ec("secp256r1");
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(new RSAKey.Builder((RSAPublicKey) first.getPublic()).keyID("k1").build())
                .toString());
        TokenVerifier verifier = verifier(new TokenKeys().addJwksFile(jwks));
        assertThat(verifier.verify(Tokens.rs256(first, "k1", VALID))).isNotNull();
        String secondToken = Tokens.es256(second, "k2", VALID);
        assertThatThrownBy(() -> verifier.verify(secondToken)).isInstanceOf(TokenVerifier.BadTokenException.class);

        Files.writeString(jwks, new JWKSet(List.of(
                new RSAKey.Builder((RSAPublicKey) first.getPublic()).keyID("k1").build(),
                new ECKey.Builder(Curve.P_256, (ECPublicKey) second.getPublic()).keyID("k2").build())).toString());
        Files.setLastModifiedTime(jwks, FileTime.from(Instant.now().plusSeconds(5))); // a new mtime, whatever the fs
        assertThat(verifier.verify(secondToken)).as("an unknown kid re-reads the changed file").isNotNull();

        Files.writeString(jwks, "{ not json");
        Files.setLastModifiedTime(jwks, FileTime.from(Instant.now().plusSeconds(10)));
        assertThat(verifier.verify(Tokens.rs256(first, "k1", VALID))).as("the previous set is kept").isNotNull();
        assertThat(verifier.verify(secondToken)).isNotNull();
    }

    @Test
    void refusesAJwksFileThatDoesNotParseAtStart() throws Exception {
        Path jwks = Files.writeString(dir.resolve("bad.json"), "[]");
        assertThatThrownBy(() -> new TokenKeys().addJwksFile(jwks)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot read a JWK set from " + jwks);
    }
}
