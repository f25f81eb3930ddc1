package dev.ssecast.server.net;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** IP literals without DNS, IPv4-mapped IPv6 as IPv4, and the /64 grouping of IPv6 addresses. */
final class InetAddresses {
    /** The prefix an IPv6 client is known by: one /64 is one site or one host's privacy addresses. */
    static final int IPV6_GROUP_BITS = 64;

    private InetAddresses() {
    }

    /** {@code bytes} with an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) as its four IPv4 bytes. */
    static byte[] normalized(byte[] bytes) {
        if (bytes.length == 16) {
            for (int i = 0; i < 10; i++) {
                if (bytes[i] != 0) {
                    return bytes;
                }
            }
            if (bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff) {
                return Arrays.copyOfRange(bytes, 12, 16);
            }
        }
        return bytes;
    }

    /** Whether every bit of {@code bytes} past the first {@code prefix} is zero. */
    static boolean hostBitsClear(byte[] bytes, int prefix) {
        for (int bit = prefix; bit < bytes.length * 8; bit++) {
            if ((bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The address in a forwarding header's element: {@code 192.0.2.1}, {@code 192.0.2.1:4711}, {@code 2001:db8::1},
     * {@code [2001:db8::1]} or {@code [2001:db8::1]:4711}, optionally in double quotes; null for anything else
     * ({@code unknown}, an obfuscated {@code _name}, a host name: never resolved).
     */
    static InetAddress parseLiteral(String value) {
        String v = value.strip();
        if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
            v = v.substring(1, v.length() - 1).strip();
        }
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0 || (close != v.length() - 1 && v.charAt(close + 1) != ':')) {
                return null;
            }
            v = v.substring(1, close);
        } else if (v.indexOf(':') >= 0 && v.indexOf(':') == v.lastIndexOf(':')) {
            v = v.substring(0, v.indexOf(':')); // IPv4 with a port
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(v);
        return bytes == null ? null : of(normalized(bytes));
    }

    /** {@code address} with IPv4-mapped IPv6 as IPv4. */
    static InetAddress normalized(InetAddress address) {
        byte[] bytes = address.getAddress();
        byte[] normal = normalized(bytes);
        return normal == bytes ? address : of(normal);
    }

    /** The address limits and logs use: IPv4 as it is, IPv6 with all but its first 64 bits zero. */
    static InetAddress group(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length == 4 || hostBitsClear(bytes, IPV6_GROUP_BITS)) {
            return address;
        }
        Arrays.fill(bytes, IPV6_GROUP_BITS / 8, 16, (byte) 0);
        return of(bytes);
    }

    private static InetAddress of(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not 4 or 16 bytes: " + bytes.length, e);
        }
    }
}
