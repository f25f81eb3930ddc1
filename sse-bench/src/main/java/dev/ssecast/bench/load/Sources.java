package dev.ssecast.bench.load;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Source addresses for subscribers: {@code 127.0.0.1-127.0.0.250} (a range in the last octet) or a comma-separated
 * list. Spreading connections over them keeps ephemeral ports from running out: each source address has its own
 * ~28,000 ports towards one server address.
 */
final class Sources {
    private Sources() {
    }

    static List<InetAddress> parse(String text) {
        List<InetAddress> addresses = new ArrayList<>();
        for (String part : text.split(",")) {
            String item = part.trim();
            int dash = item.indexOf('-');
            try {
                if (dash < 0) {
                    addresses.add(InetAddress.getByName(item));
                    continue;
                }
                byte[] from = InetAddress.getByName(item.substring(0, dash)).getAddress();
                byte[] to = InetAddress.getByName(item.substring(dash + 1)).getAddress();
                int last = to[3] & 0xff;
                for (int octet = from[3] & 0xff; octet <= last; octet++) {
                    byte[] address = from.clone();
                    address[3] = (byte) octet;
                    addresses.add(InetAddress.getByAddress(address));
                }
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("sources must be addresses or a range a.b.c.d-a.b.c.e, was "
                        + text, e);
            }
        }
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("sources must name at least one address, was " + text);
        }
        return addresses;
    }

    /** The {@code index}-th of {@code parts} interleaved slices of {@code all}. */
    static List<InetAddress> slice(List<InetAddress> all, int index, int parts) {
        if (all.size() < parts) {
            return all;
        }
        List<InetAddress> slice = new ArrayList<>();
        for (int i = index; i < all.size(); i += parts) {
            slice.add(all.get(i));
        }
        return slice;
    }
}
