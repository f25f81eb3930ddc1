package dev.ssecast.server.net;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The peers whose word on the client address is believed: {@code --trusted-proxies}, a comma-separated list of
 * IPv4 and IPv6 CIDRs ({@code 10.0.0.0/8, 2001:db8::/32}; an address without a prefix is one host). Immutable.
 */
public final class TrustedProxies {
    /** Nobody is trusted: the peer address is the client address. */
    public static final TrustedProxies NONE = new TrustedProxies(List.of(), "");

    private final List<byte[]> networks;
    private final List<Integer> prefixes;
    private final String text;

    private TrustedProxies(List<String> cidrs, String text) {
        this.networks = new ArrayList<>(cidrs.size());
        this.prefixes = new ArrayList<>(cidrs.size());
        this.text = text;
        for (String cidr : cidrs) {
            add(cidr);
        }
    }

    /**
     * Parses {@code --trusted-proxies}; blank means none.
     *
     * @throws IllegalArgumentException naming the entry that is not an IP literal with a prefix in range, or has
     *                                  bits set past its prefix
     */
    public static TrustedProxies parse(String list) {
        if (list == null || list.isBlank()) {
            return NONE;
        }
        List<String> cidrs = new ArrayList<>();
        for (String entry : list.split(",", -1)) {
            String cidr = entry.strip();
            if (cidr.isEmpty()) {
                throw new IllegalArgumentException("has an empty entry, was '" + list + "'");
            }
            cidrs.add(cidr);
        }
        return new TrustedProxies(cidrs, String.join(",", cidrs));
    }

    private void add(String cidr) {
        int slash = cidr.indexOf('/');
        String literal = slash < 0 ? cidr : cidr.substring(0, slash);
        byte[] network = NetUtil.createByteArrayFromIpAddressString(literal);
        if (network == null) {
            throw new IllegalArgumentException("'" + cidr + "' is not an IPv4 or IPv6 address or CIDR");
        }
        network = InetAddresses.normalized(network);
        int bits = network.length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? bits : Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("'" + cidr + "': the prefix must be within [0, " + bits + "]");
        }
        if (!InetAddresses.hostBitsClear(network, prefix)) {
            throw new IllegalArgumentException("'" + cidr + "' has bits set past its /" + prefix
                    + " prefix; write the network address");
        }
        networks.add(network);
        prefixes.add(prefix);
    }

    /** Whether {@code address} is in one of the networks. */
    public boolean contains(InetAddress address) {
        if (address == null || networks.isEmpty()) {
            return false;
        }
        byte[] bytes = InetAddresses.normalized(address.getAddress());
        for (int i = 0; i < networks.size(); i++) {
            byte[] network = networks.get(i);
            if (network.length == bytes.length && matches(network, bytes, prefixes.get(i))) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return networks.isEmpty();
    }

    private static boolean matches(byte[] network, byte[] address, int prefix) {
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (network[i] != address[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (network[full] & mask) == (address[full] & mask);
    }

    @Override
    public String toString() {
        return text.isEmpty() ? "none" : text.toLowerCase(Locale.ROOT);
    }
}
