package dev.ssecast.server.http;

import java.util.Locale;

/**
 * Why the server refused a request, as the fixed label set of {@code ssecast_requests_refused_total{reason}}:
 * never an address, a subject or a topic, so the metric's size does not depend on who calls.
 */
public enum Refusal {
    /** No token, a bad signature, an expired token: 401. */
    UNAUTHORIZED,
    /** A valid token without the grant, a cross-origin or non-loopback publish in loopback mode: 403. */
    FORBIDDEN,
    /** Too many 401 or 403 refusals from one client address: 429. */
    AUTH_RATE,
    /** Over the connections of one client address: a retry-later stream, or 429. */
    PER_ADDRESS,
    /** A request head not complete within the request timeout: 408. */
    REQUEST_TIMEOUT,
    /** Over the publish rate of one client address: 429. */
    PUBLISH_RATE;

    private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** The metric's label value, e.g. {@code per-address}. */
    public String label() {
        return label;
    }
}
