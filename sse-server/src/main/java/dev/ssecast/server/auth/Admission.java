package dev.ssecast.server.auth;

import java.time.Instant;

/**
 * The verdict on one request: allowed (a stream until a deadline, or for ever), 401 (no valid token) or 403 (a
 * valid token without the grant). Immutable.
 */
public final class Admission {
    /** What to answer. */
    public enum Outcome { ALLOWED, UNAUTHORIZED, FORBIDDEN }

    static final Admission OPEN = new Admission(Outcome.ALLOWED, null, null);

    private final Outcome outcome;
    private final String message;
    private final Instant deadline;

    private Admission(Outcome outcome, String message, Instant deadline) {
        this.outcome = outcome;
        this.message = message;
        this.deadline = deadline;
    }

    static Admission allowedUntil(Instant deadline) {
        return new Admission(Outcome.ALLOWED, null, deadline);
    }

    static Admission unauthorized(String message) {
        return new Admission(Outcome.UNAUTHORIZED, message, null);
    }

    static Admission forbidden(String message) {
        return new Admission(Outcome.FORBIDDEN, message, null);
    }

    public Outcome outcome() {
        return outcome;
    }

    public boolean allowed() {
        return outcome == Outcome.ALLOWED;
    }

    /** Why not, for the response body (never the token); null when allowed. */
    public String message() {
        return message;
    }

    /** When a stream admitted on a token must end, or null for a public one. */
    public Instant deadline() {
        return deadline;
    }

    /** The {@code WWW-Authenticate} of a refusal (RFC 6750 §3), or null when allowed. */
    public String wwwAuthenticate() {
        switch (outcome) {
            case UNAUTHORIZED:
                return "Bearer realm=\"ssecast\", error=\"invalid_token\"";
            case FORBIDDEN:
                return "Bearer realm=\"ssecast\", error=\"insufficient_scope\"";
            default:
                return null;
        }
    }
}
