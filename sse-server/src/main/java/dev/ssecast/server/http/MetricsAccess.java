package dev.ssecast.server.http;

import dev.ssecast.server.net.ClientAddress;

import java.util.Set;

/**
 * Who may read {@code /metrics}: a loopback client always (the real client, so a proxy on the same machine does
 * not open it to the world once it is in {@code --trusted-proxies}); anyone else only with
 * {@code Authorization: Bearer <--metrics-token>}, compared like the publish token. Immutable.
 */
final class MetricsAccess {
    private final PublishAuth token;

    /** @param token the token, or null: loopback clients only */
    MetricsAccess(String token) {
        this.token = token == null ? null : new PublishAuth(token, false, Set.of());
    }

    /** Null when {@code client} may scrape, else why not. */
    Refusal check(ClientAddress client, String authorization) {
        if (client.isLoopback()) {
            return null;
        }
        if (token == null) {
            return Refusal.FORBIDDEN;
        }
        return token.check(null, authorization, null, null) == PublishAuth.Verdict.ALLOWED ? null : Refusal.UNAUTHORIZED;
    }

    boolean hasToken() {
        return token != null;
    }
}
