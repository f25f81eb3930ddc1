package dev.ssecast.server.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Who may read and publish which topic, decided once per request at admission, never per delivery. With no key
 * every topic is open (and publishing is left to the token or loopback rule of the HTTP tier). With a key, a
 * topic needs a grant in a verified token's {@code ssecast} claim unless it is public, and a stream admitted on a
 * token ends before the token expires. Thread-safe: one instance serves every event loop.
 */
public final class Authorizer implements AutoCloseable {
    private static final String BEARER = "bearer";

    private final TokenVerifier verifier;
    private final TopicPatterns publicTopics;
    private final String cookieName;
    private final boolean allowQueryToken;
    private final Set<String> corsOrigins;
    private final Duration leeway;
    private final RefusalLimiter refusals = new RefusalLimiter(System::nanoTime);
    private final JwksUrl jwksUrl;

    private Authorizer(Builder b) {
        this.verifier = b.keys.isEmpty() ? null : new TokenVerifier(b.keys, b.audience, b.issuer, b.leeway);
        this.publicTopics = TopicPatterns.parse(b.publicTopics);
        this.cookieName = b.cookieName;
        this.allowQueryToken = b.allowQueryToken;
        this.corsOrigins = Set.copyOf(b.corsOrigins);
        this.leeway = b.leeway;
        this.jwksUrl = b.keys.jwksUrl();
    }

    /** Starts fetching a remote JWK set in the background, if one is configured; the server calls it once. */
    public void start() {
        if (jwksUrl != null) {
            jwksUrl.start();
        }
    }

    /** Stops the background fetches. */
    @Override
    public void close() {
        if (jwksUrl != null) {
            jwksUrl.close();
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when a key is configured: topics need grants and publishes a token. */
    public boolean enabled() {
        return verifier != null;
    }

    /**
     * May {@code request} stream {@code topics}? Its token comes from {@code Authorization: Bearer}, else the
     * cookie (not cross-origin unless the origin is listed), else {@code access_token} in {@code query} when
     * allowed.
     */
    public Admission stream(HttpRequest request, Map<String, List<String>> query, List<String> topics) {
        if (verifier == null) {
            return Admission.OPEN;
        }
        String first = null;
        for (String topic : topics) {
            if (!publicTopics.covers(topic)) {
                first = topic;
                break;
            }
        }
        if (first == null) {
            return Admission.OPEN;
        }
        String token = bearerToken(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (token == null) {
            token = cookieToken(request);
        }
        if (token == null && allowQueryToken) {
            List<String> fromQuery = query.get("access_token");
            token = fromQuery == null || fromQuery.get(0).isEmpty() ? null : fromQuery.get(0);
        }
        if (token == null) {
            return Admission.unauthorized("topic " + first + " needs a token");
        }
        JWTClaimsSet claims;
        try {
            claims = verifier.verify(token);
        } catch (TokenVerifier.BadTokenException e) {
            return Admission.unauthorized("invalid token: " + e.getMessage());
        }
        Grants grants = Grants.of(claims);
        for (String topic : topics) {
            if (!publicTopics.covers(topic) && !grants.maySubscribe(topic)) {
                return Admission.forbidden("the token does not grant subscribing to topic " + topic);
            }
        }
        return Admission.allowedUntil(deadline(claims, Instant.now()));
    }

    /**
     * May {@code request} publish to {@code topic} with the JWT in its {@code Authorization: Bearer}? Cookies are
     * never read here (a page on another site could make a browser send them).
     */
    public Admission publish(HttpRequest request, String topic) {
        String token = bearerToken(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (verifier == null || token == null) {
            return Admission.unauthorized("publishing needs Authorization: Bearer <token>");
        }
        JWTClaimsSet claims;
        try {
            claims = verifier.verify(token);
        } catch (TokenVerifier.BadTokenException e) {
            return Admission.unauthorized("invalid token: " + e.getMessage());
        }
        return Grants.of(claims).mayPublish(topic) ? Admission.OPEN
                : Admission.forbidden("the token does not grant publishing to topic " + topic);
    }

    /**
     * When a stream admitted on {@code claims} ends: {@code exp} plus the leeway, less a random part of the last
     * tenth of the token's lifetime ({@code exp - iat}, or {@code exp - now} without {@code iat}), at most 60 s,
     * so that streams whose tokens were minted together do not all reconnect at once.
     */
    Instant deadline(JWTClaimsSet claims, Instant now) {
        Instant exp = claims.getExpirationTime().toInstant();
        Instant start = claims.getIssueTime() == null ? now : claims.getIssueTime().toInstant();
        long lifetime = Math.max(0, Duration.between(start, exp).toMillis());
        long early = ThreadLocalRandom.current().nextLong(Math.min(lifetime / 10, 60_000) + 1);
        return exp.plus(leeway).minusMillis(early);
    }

    /** Whether {@code client} was refused 20 times (401 or 403) this minute: then it is answered 429. */
    public boolean overRefusalLimit(InetAddress client) {
        return refusals.isOver(client);
    }

    /** Counts a 401 or 403 answered to {@code client}. */
    public void refused(InetAddress client) {
        refusals.refused(client);
    }

    private String cookieToken(HttpRequest request) {
        String cookies = request.headers().get(HttpHeaderNames.COOKIE);
        if (cookies == null) {
            return null;
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !corsOrigins.contains(origin) && !isOwnOrigin(origin, request)) {
            return null; // a cookie sent by a page of an origin not listed: no credential at all
        }
        for (Cookie cookie : ServerCookieDecoder.STRICT.decode(cookies)) {
            if (cookie.name().equals(cookieName) && !cookie.value().isEmpty()) {
                return cookie.value();
            }
        }
        return null;
    }

    /** Whether {@code origin} ({@code scheme://host[:port]}) names the host the request was sent to. */
    private static boolean isOwnOrigin(String origin, HttpRequest request) {
        String host = request.headers().get(HttpHeaderNames.HOST);
        int scheme = origin.indexOf("://");
        return host != null && scheme > 0 && origin.substring(scheme + 3).equalsIgnoreCase(host);
    }

    /** The credentials of a {@code Bearer} authorization (scheme in any case), or null for none or another scheme. */
    public static String bearerToken(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.strip();
        int space = value.indexOf(' ');
        if (space != BEARER.length() || !value.regionMatches(true, 0, BEARER, 0, space)) {
            return null;
        }
        String token = value.substring(space + 1).strip();
        return token.isEmpty() ? null : token;
    }

    /** Settings; checked in {@link #build()}. */
    public static final class Builder {
        private TokenKeys keys = new TokenKeys();
        private String audience;
        private String issuer;
        private Duration leeway = Duration.ofSeconds(60);
        private String publicTopics;
        private String cookieName = "ssecast_token";
        private boolean allowQueryToken;
        private Set<String> corsOrigins = Set.of();

        private Builder() {
        }

        /** The keys tokens are verified with; none (the default) leaves every topic open. */
        public Builder keys(TokenKeys keys) {
            this.keys = Objects.requireNonNull(keys, "keys");
            return this;
        }

        /** The {@code aud} a token must name, or null (the default) not to check it. */
        public Builder audience(String audience) {
            this.audience = audience;
            return this;
        }

        /** The {@code iss} a token must have, or null (the default) not to check it. */
        public Builder issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        /** Clock skew allowed on {@code exp} and {@code nbf}, and added to a stream's end. Default 60s. */
        public Builder leeway(Duration leeway) {
            this.leeway = Objects.requireNonNull(leeway, "leeway");
            return this;
        }

        /** Comma-separated topics (or prefixes ending in {@code *}) anyone may read, or null for none. */
        public Builder publicTopics(String publicTopics) {
            this.publicTopics = publicTopics;
            return this;
        }

        /** The cookie a browser's token comes in. Default {@code ssecast_token}. */
        public Builder cookieName(String cookieName) {
            this.cookieName = Objects.requireNonNull(cookieName, "cookieName");
            return this;
        }

        /** Whether {@code ?access_token=} is read on streams. Default false. */
        public Builder allowQueryToken(boolean allowQueryToken) {
            this.allowQueryToken = allowQueryToken;
            return this;
        }

        /** Origins listed by {@code --cors-origin}, whose cross-origin cookies count. Default none. */
        public Builder corsOrigins(Set<String> corsOrigins) {
            this.corsOrigins = Objects.requireNonNull(corsOrigins, "corsOrigins");
            return this;
        }

        /** @throws IllegalArgumentException if the leeway is negative or over 10 minutes, or a pattern is bad */
        public Authorizer build() {
            if (leeway.isNegative() || leeway.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("leeway must be within [0s, 10m], was " + leeway.toSeconds()
                        + "s");
            }
            return new Authorizer(this);
        }
    }
}
