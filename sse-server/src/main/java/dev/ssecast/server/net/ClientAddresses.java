package dev.ssecast.server.net;

import io.netty.channel.Channel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http.HttpHeaders;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules for the real client address, fixed at start. With {@code --proxy-protocol}, a connection from a
 * trusted proxy must begin with a PROXY protocol v1 or v2 header, whose source is the client (a v2 {@code LOCAL},
 * as in health checks, keeps the peer); a connection from anyone else is plain HTTP from its peer. Without it, a
 * request from a trusted proxy names its client in {@code Forwarded} (preferred) or {@code X-Forwarded-For},
 * walked from the right past trusted proxies; anyone else's headers are ignored. Immutable, thread-safe.
 */
public final class ClientAddresses {
    static final String PROXY_DECODER = "proxy-protocol";
    static final String PROXY_HANDLER = "proxy-source";
    /** The user event fired down the pipeline once a connection's client is known from its PROXY header. */
    public static final Object KNOWN = "ssecast: client address known from the PROXY header";

    private final TrustedProxies trusted;
    private final boolean proxyProtocol;

    public ClientAddresses(TrustedProxies trusted, boolean proxyProtocol) {
        this.trusted = trusted;
        this.proxyProtocol = proxyProtocol;
    }

    /**
     * Sets up a channel just accepted: remembers its rules and, from a trusted proxy under
     * {@code --proxy-protocol}, puts the PROXY header decoder first in its pipeline.
     *
     * @return the client to count the connection under now, or null: for a trusted proxy's connection, whose
     *         client is known only from its PROXY header ({@link #KNOWN} is then fired) or its requests' headers
     */
    public ClientAddress accepted(Channel channel) {
        channel.attr(ClientAddress.RULES).set(this);
        ClientAddress peer = ClientAddress.ofPeer(channel);
        channel.attr(ClientAddress.CONNECTION).set(peer);
        if (!trusted.contains(peer.address())) {
            return peer;
        }
        if (proxyProtocol) {
            channel.pipeline().addFirst(PROXY_HANDLER, new ProxySourceHandler());
            channel.pipeline().addFirst(PROXY_DECODER, new HAProxyMessageDecoder());
        }
        return null;
    }

    /** The client of a request whose connection's client is {@code connection}. */
    ClientAddress forRequest(ClientAddress connection, HttpHeaders headers) {
        if (proxyProtocol || !trusted.contains(connection.address())) {
            return connection;
        }
        List<String> hops = forwardedFor(headers.getAll("Forwarded"));
        if (hops.isEmpty()) {
            hops = xForwardedFor(headers.getAll("X-Forwarded-For"));
        }
        InetAddress client = walk(hops, connection.address());
        return client == connection.address() ? connection : new ClientAddress(client);
    }

    /**
     * The client among {@code hops} (nearest last) as told by {@code peer}: the rightmost hop that is not a trusted
     * proxy; where a hop is no IP literal, the trusted proxy that reported it (nothing further left can be
     * believed); where every hop is trusted, the leftmost.
     */
    InetAddress walk(List<String> hops, InetAddress peer) {
        InetAddress told = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = InetAddresses.parseLiteral(hops.get(i));
            if (hop == null) {
                return told;
            }
            told = hop;
            if (!trusted.contains(hop)) {
                return hop;
            }
        }
        return told;
    }

    /** The {@code for=} values of RFC 7239 {@code Forwarded} fields, in order; an element without one is kept as "". */
    static List<String> forwardedFor(List<String> fields) {
        List<String> hops = new ArrayList<>();
        for (String field : fields) {
            for (String element : splitOutsideQuotes(field, ',')) {
                String value = "";
                for (String pair : splitOutsideQuotes(element, ';')) {
                    int eq = pair.indexOf('=');
                    if (eq > 0 && pair.substring(0, eq).strip().equalsIgnoreCase("for")) {
                        value = pair.substring(eq + 1).strip();
                    }
                }
                hops.add(value);
            }
        }
        return hops;
    }

    static List<String> xForwardedFor(List<String> fields) {
        List<String> hops = new ArrayList<>();
        for (String field : fields) {
            for (String hop : field.split(",", -1)) {
                hops.add(hop.strip());
            }
        }
        return hops;
    }

    private static List<String> splitOutsideQuotes(String s, char separator) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    public TrustedProxies trusted() {
        return trusted;
    }

    public boolean proxyProtocol() {
        return proxyProtocol;
    }
}
