package dev.ssecast.server.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The keys tokens are verified with, checked once when added: an HMAC secret (the HS algorithms its length allows,
 * RFC 7518 §3.2), a PEM public key (RSA of at least 2048 bits for RS256, EC P-256 for ES256), a JWK set file
 * re-read when it changes. Each {@code add*} throws {@link IllegalArgumentException} with what is wrong, for the
 * option that named it; a secret never appears in a message. Not thread-safe while being built; immutable after.
 */
public final class TokenKeys {
    /** What a public key or a JWK set may verify. */
    static final Set<JWSAlgorithm> ASYMMETRIC = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
    static final int MIN_RSA_BITS = 2048;

    private final List<JWK> fixed = new ArrayList<>();
    private final Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
    private JwksFile jwksFile;
    private JwksUrl jwksUrl;

    public TokenKeys() {
    }

    /** True when no key was added: tokens are not verified and topics are open. */
    public boolean isEmpty() {
        return fixed.isEmpty() && jwksFile == null && jwksUrl == null;
    }

    /**
     * Adds an HMAC secret: HS256 from 32 bytes, HS384 from 48, HS512 from 64 (RFC 7518 §3.2).
     *
     * @throws IllegalArgumentException if it is shorter than 32 bytes
     */
    public TokenKeys addHmacSecret(byte[] secret) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("an HMAC secret must be at least 32 bytes for HS256 (48 for HS384, "
                    + "64 for HS512; RFC 7518 3.2), was " + secret.length + " bytes");
        }
        algorithms.add(JWSAlgorithm.HS256);
        if (secret.length >= 48) {
            algorithms.add(JWSAlgorithm.HS384);
        }
        if (secret.length >= 64) {
            algorithms.add(JWSAlgorithm.HS512);
        }
        fixed.add(new OctetSequenceKey.Builder(secret).build());
        return this;
    }

    /**
     * Adds the PEM public key (SubjectPublicKeyInfo) in {@code file}.
     *
     * @throws IllegalArgumentException if it cannot be read, is not such a key, or not RSA of at least 2048 bits
     *         or EC P-256
     */
    public TokenKeys addPublicKey(Path file) {
        PublicKey key = readPem(file);
        if (key instanceof RSAPublicKey) {
            int bits = ((RSAPublicKey) key).getModulus().bitLength();
            if (bits < MIN_RSA_BITS) {
                throw new IllegalArgumentException("an RSA key must have at least " + MIN_RSA_BITS + " bits, was "
                        + bits + " bits in " + file);
            }
            fixed.add(new RSAKey.Builder((RSAPublicKey) key).build());
            algorithms.add(JWSAlgorithm.RS256);
        } else if (key instanceof ECPublicKey) {
            Curve curve = Curve.forECParameterSpec(((ECPublicKey) key).getParams());
            if (!Curve.P_256.equals(curve)) {
                throw new IllegalArgumentException("an EC key must be on P-256 (ES256), was "
                        + (curve == null ? "an unknown curve" : curve.getName()) + " in " + file);
            }
            fixed.add(new ECKey.Builder(Curve.P_256, (ECPublicKey) key).build());
            algorithms.add(JWSAlgorithm.ES256);
        } else {
            throw new IllegalArgumentException("must be an RSA or EC public key, was " + key.getAlgorithm()
                    + " in " + file);
        }
        return this;
    }

    /**
     * Adds the JWK set in {@code file} (RS256 and ES256 keys), re-read when its modification time changes.
     *
     * @throws IllegalArgumentException if it cannot be read or parsed now
     */
    public TokenKeys addJwksFile(Path file) {
        this.jwksFile = new JwksFile(file);
        algorithms.addAll(ASYMMETRIC);
        return this;
    }

    /**
     * Adds the remote JWK set at {@code url} (RS256 and ES256 keys): fetched in the background once the server
     * starts, cached for 5 minutes, fetched at most once every 30 s however many unknown kids arrive.
     *
     * @throws IllegalArgumentException if it is not an http or https URL
     */
    public TokenKeys addJwksUrl(String url) {
        URL parsed;
        try {
            URI uri = new URI(url);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("must be an http:// or https:// URL, was " + url);
            }
            parsed = uri.toURL();
        } catch (URISyntaxException | MalformedURLException e) {
            throw new IllegalArgumentException("must be an http:// or https:// URL, was " + url);
        }
        return addJwksUrl(new JwksUrl(parsed, Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(60)));
    }

    /** Adds a remote JWK set with its own timings (tests). */
    TokenKeys addJwksUrl(JwksUrl url) {
        this.jwksUrl = url;
        algorithms.addAll(ASYMMETRIC);
        return this;
    }

    /** The remote JWK set, or null. */
    JwksUrl jwksUrl() {
        return jwksUrl;
    }

    List<JWK> fixed() {
        return List.copyOf(fixed);
    }

    Set<JWSAlgorithm> algorithms() {
        return Set.copyOf(algorithms);
    }

    /** The JWK set file, or null. */
    JwksFile jwksFile() {
        return jwksFile;
    }

    private static PublicKey readPem(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
        int begin = text.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = text.indexOf("-----END PUBLIC KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("must be a PEM public key (-----BEGIN PUBLIC KEY-----), in " + file);
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + 26, end));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the PEM in " + file + " is not base64");
        }
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisKind) {
                // try the next kind
            }
        }
        throw new IllegalArgumentException("must be an RSA or EC public key (SubjectPublicKeyInfo), in " + file);
    }
}
