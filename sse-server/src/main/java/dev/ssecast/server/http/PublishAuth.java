package dev.ssecast.server.http;

import dev.ssecast.server.auth.Authorizer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Set;

/**
 * Who may publish, before any token's grants are looked at. With a token, a request carrying
 * {@code Authorization: Bearer <token>} (the scheme in any case) is allowed; the token is compared in constant
 * time, as SHA-256 digests so that not even its length leaks. With a JWT key, any other bearer token is for the
 * {@link Authorizer} to judge. With neither (loopback mode), only loopback peers may publish, naming a loopback
 * {@code Host} (so a DNS-rebinding page cannot), and without an {@code Origin} unless it is listed in
 * {@code --cors-origin} or is the server's own live page (so no other web page in a browser on the same machine
 * can): the server then trusts its own
 * machine and nothing else (a load balancer in front is not loopback, so publishing through it needs a token).
 */
final class PublishAuth {
    /** The verdict on one request. */
    enum Verdict { ALLOWED, BY_GRANT, MISSING_TOKEN, WRONG_TOKEN, NOT_LOOPBACK, NOT_LOOPBACK_HOST, CROSS_ORIGIN }

    /** What the live page tells its reader about publishing from there. */
    enum Mode { OPEN, TOKEN, CLOSED }

    private final byte[] tokenDigest;
    private final boolean jwt;
    private final Set<String> listedOrigins;

    /**
     * @param token the token, or null
     * @param jwt whether a JWT key is configured
     * @param listedOrigins the origins of a {@code --cors-origin} list (none for {@code *})
     */
    PublishAuth(String token, boolean jwt, Set<String> listedOrigins) {
        this.tokenDigest = token == null ? null : sha256(token);
        this.jwt = jwt;
        this.listedOrigins = listedOrigins;
    }

    /** No token and no key: the machine itself is trusted, and nothing else. */
    boolean isLoopbackMode() {
        return tokenDigest == null && !jwt;
    }

    Verdict check(SocketAddress peer, String authorization, String host, String origin) {
        if (isLoopbackMode()) {
            if (!isLoopback(peer)) {
                return Verdict.NOT_LOOPBACK;
            }
            if (!isLoopbackHost(host)) {
                return Verdict.NOT_LOOPBACK_HOST;
            }
            return origin == null || listedOrigins.contains(origin) || isOwnPage(origin, host) ? Verdict.ALLOWED
                    : Verdict.CROSS_ORIGIN;
        }
        String token = Authorizer.bearerToken(authorization);
        if (token == null) {
            return Verdict.MISSING_TOKEN;
        }
        if (tokenDigest != null && MessageDigest.isEqual(sha256(token), tokenDigest)) {
            return Verdict.ALLOWED;
        }
        return jwt ? Verdict.BY_GRANT : Verdict.WRONG_TOKEN;
    }

    Mode mode(SocketAddress peer) {
        if (!isLoopbackMode()) {
            return Mode.TOKEN;
        }
        return isLoopback(peer) ? Mode.OPEN : Mode.CLOSED;
    }

    /**
     * Whether {@code origin} is this server's own live page: {@code http://<Host>}, the Host already known to be a
     * loopback name. A page of another port or site differs, and a page cannot choose its {@code Origin}.
     */
    private static boolean isOwnPage(String origin, String host) {
        return host != null && origin.equalsIgnoreCase("http://" + host.strip());
    }

    /**
     * Whether a {@code Host} header names this machine: {@code localhost} (or a name under {@code .localhost}),
     * a 127.0.0.0/8 address or {@code [::1]}, with any port; an absent one (HTTP/1.0) counts as loopback.
     */
    static boolean isLoopbackHost(String host) {
        if (host == null) {
            return true;
        }
        String name = host.strip().toLowerCase(Locale.ROOT);
        if (name.startsWith("[")) {
            int end = name.indexOf(']');
            return end > 0 && isLoopbackLiteral(name.substring(1, end));
        }
        int colon = name.indexOf(':');
        if (colon >= 0) {
            name = name.substring(0, colon);
        }
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            return true;
        }
        return name.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}") && isLoopbackLiteral(name);
    }

    /** An IP literal (never a name: no lookup) that is a loopback address. */
    private static boolean isLoopbackLiteral(String literal) {
        if (!literal.matches("[0-9a-f:.]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
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
