package dev.ssecast.server.net;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The real address of the client behind a connection or request, the one place the server learns it: from the
 * PROXY protocol header of a trusted proxy, else from {@code Forwarded} or {@code X-Forwarded-For} when the peer
 * is a trusted proxy, else the peer address (the rules are {@link ClientAddresses}'). Equal, hashed and printed
 * by its {@link #group()}: an IPv6 client is known by its /64. Immutable.
 */
public final class ClientAddress {
    /** The connection's client: the peer, or the PROXY header's source once read. Set on the event loop. */
    static final AttributeKey<ClientAddress> CONNECTION = AttributeKey.valueOf(ClientAddress.class, "connection");
    /** The rules the channel was accepted under, so that {@link #of(Channel, HttpRequest)} needs nothing else. */
    static final AttributeKey<ClientAddresses> RULES = AttributeKey.valueOf(ClientAddress.class, "rules");
    private static final AttributeKey<Resolved> REQUEST = AttributeKey.valueOf(ClientAddress.class, "request");

    private final InetAddress address;
    private final InetAddress group;

    ClientAddress(InetAddress address) {
        this.address = InetAddresses.normalized(Objects.requireNonNull(address, "address"));
        this.group = InetAddresses.group(this.address);
    }

    /**
     * The client of {@code request} on {@code channel}: worked out once per request (forwarding headers are
     * walked at most once), then remembered on the channel. Call on the channel's event loop, from the request's
     * head on; before any request it is the connection's client.
     */
    public static ClientAddress of(Channel channel, HttpRequest request) {
        Attribute<Resolved> attr = channel.attr(REQUEST);
        Resolved resolved = attr.get();
        if (resolved != null && resolved.request == request) {
            return resolved.client;
        }
        ClientAddresses rules = connectionOf(channel).attr(RULES).get();
        ClientAddress connection = of(channel);
        ClientAddress client = rules == null ? connection : rules.forRequest(connection, request.headers());
        attr.set(new Resolved(request, client));
        return client;
    }

    /**
     * Forgets the request {@link #of(Channel, HttpRequest)} remembered, so that a connection that has become a
     * long-lived stream does not hold its request (headers and all) for its whole life. Call on the event loop.
     */
    public static void forgetRequest(Channel channel) {
        if (channel.hasAttr(REQUEST)) {
            channel.attr(REQUEST).set(null);
        }
    }

    /**
     * The client of {@code channel} as a whole: the PROXY header's source, or the peer. For an HTTP/2 stream,
     * its connection's.
     */
    public static ClientAddress of(Channel channel) {
        Channel connectionChannel = connectionOf(channel);
        ClientAddress connection = connectionChannel.attr(CONNECTION).get();
        return connection != null ? connection : ofPeer(connectionChannel);
    }

    /** The connection {@code channel} is carried on: its parent for an HTTP/2 stream, else itself. */
    private static Channel connectionOf(Channel channel) {
        return channel instanceof Http2StreamChannel ? channel.parent() : channel;
    }

    static ClientAddress ofPeer(Channel channel) {
        return channel.remoteAddress() instanceof InetSocketAddress
                && ((InetSocketAddress) channel.remoteAddress()).getAddress() != null
                ? new ClientAddress(((InetSocketAddress) channel.remoteAddress()).getAddress())
                : new ClientAddress(InetAddress.getLoopbackAddress()); // in-VM channels in tests
    }

    /** The address as the client has it (IPv4-mapped IPv6 as IPv4). Never use it as a key: {@link #group()}. */
    public InetAddress address() {
        return address;
    }

    /** The address limits count by and logs show: IPv4 as is, IPv6 with its last 64 bits zero. */
    public InetAddress group() {
        return group;
    }

    /** {@link #address()} as a socket address (port 0), for code that takes one. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, 0);
    }

    /** Whether the client is this machine (the real client, not a proxy on it). */
    public boolean isLoopback() {
        return address.isLoopbackAddress();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientAddress && ((ClientAddress) o).group.equals(group);
    }

    @Override
    public int hashCode() {
        return group.hashCode();
    }

    /** {@code 192.0.2.1}, or {@code 2001:db8:0:1:0:0:0:0/64}. */
    @Override
    public String toString() {
        return address.getAddress().length == 4 ? group.getHostAddress()
                : group.getHostAddress() + "/" + InetAddresses.IPV6_GROUP_BITS;
    }

    private static final class Resolved {
        final HttpRequest request;
        final ClientAddress client;

        Resolved(HttpRequest request, ClientAddress client) {
            this.request = request;
            this.client = client;
        }
    }
}
