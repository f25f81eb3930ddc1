package dev.ssecast.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimNames;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Verifies a compact JWT with Nimbus: a signature by one of the {@link TokenKeys} with an algorithm that key allows
 * ({@code alg: none}, and a key of the wrong kind for the {@code alg}, never verify), {@code exp} required,
 * {@code nbf} honoured, {@code aud} and {@code iss} when configured, all within the leeway. Thread-safe.
 */
final class TokenVerifier {
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    TokenVerifier(TokenKeys keys, String audience, String issuer, Duration leeway) {
        List<JWKSource<SecurityContext>> sources = new ArrayList<>();
        sources.add(new ImmutableJWKSet<>(new JWKSet(keys.fixed())));
        if (keys.jwksFile() != null) {
            sources.add(keys.jwksFile());
        }
        if (keys.jwksUrl() != null) {
            sources.add(keys.jwksUrl());
        }
        JWKSource<SecurityContext> source = sources.size() == 1 ? sources.get(0) : (selector, context) -> {
            List<JWK> found = new ArrayList<>();
            for (JWKSource<SecurityContext> each : sources) {
                found.addAll(each.get(selector, context));
            }
            return found;
        };
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(keys.algorithms(), source));
        JWTClaimsSet exact = issuer == null ? null : new JWTClaimsSet.Builder().issuer(issuer).build();
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(audience, exact,
                Set.of(JWTClaimNames.EXPIRATION_TIME));
        claims.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, leeway.toSeconds()));
        processor.setJWTClaimsSetVerifier(claims);
    }

    /**
     * The claims of {@code token} when it verifies.
     *
     * @throws BadTokenException saying why not (safe to show: never the token)
     */
    JWTClaimsSet verify(String token) throws BadTokenException {
        try {
            return processor.process(token, null);
        } catch (ParseException e) {
            throw new BadTokenException("the token is not a JWT");
        } catch (BadJOSEException | JOSEException e) {
            throw new BadTokenException(e.getMessage());
        }
    }

    /** A token that does not verify; its message says why. */
    static final class BadTokenException extends Exception {
        private static final long serialVersionUID = 1L;

        BadTokenException(String message) {
            super(message, null, false, false);
        }
    }
}
