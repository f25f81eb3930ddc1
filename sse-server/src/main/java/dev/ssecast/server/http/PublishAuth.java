package dev.ssecast.server.http;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Who may publish. With a token, a request must carry {@code Authorization: Bearer <token>} (the scheme in any
 * case); the token is compared in constant time, as SHA-256 digests so that not even its length leaks. Without a
 * token, only loopback peers may publish: the server then trusts its own machine and nothing else (a load
 * balancer in front is not loopback, so publishing through it needs a token).
 */
final class PublishAuth {
    /** The verdict on one request. */
    enum Verdict { ALLOWED, MISSING_TOKEN, WRONG_TOKEN, NOT_LOOPBACK }

    /** What the live page tells its reader about publishing from there. */
    enum Mode { OPEN, TOKEN, CLOSED }

    private final byte[] tokenDigest;

    /** @param token the token, or null to allow loopback peers only */
    PublishAuth(String token) {
        this.tokenDigest = token == null ? null : sha256(token);
    }

    Verdict check(SocketAddress peer, String authorization) {
        if (tokenDigest == null) {
            return isLoopback(peer) ? Verdict.ALLOWED : Verdict.NOT_LOOPBACK;
        }
        String token = bearerToken(authorization);
        if (token == null) {
            return Verdict.MISSING_TOKEN;
        }
        return MessageDigest.isEqual(sha256(token), tokenDigest) ? Verdict.ALLOWED : Verdict.WRONG_TOKEN;
    }

    Mode mode(SocketAddress peer) {
        if (tokenDigest != null) {
            return Mode.TOKEN;
        }
        return isLoopback(peer) ? Mode.OPEN : Mode.CLOSED;
    }

    /** The credentials of a {@code Bearer} authorization (scheme in any case), or null for none or another scheme. */
    static String bearerToken(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.strip();
        int space = value.indexOf(' ');
        if (space != "bearer".length() || !value.regionMatches(true, 0, "bearer", 0, space)) {
            return null;
        }
        String token = value.substring(space + 1).strip();
        return token.isEmpty() ? null : token;
    }

    private static boolean isLoopback(SocketAddress peer) {
        return peer instanceof InetSocketAddress && ((InetSocketAddress) peer).getAddress() != null
                && ((InetSocketAddress) peer).getAddress().isLoopbackAddress();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
