package dev.ssecast.server.net;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientAddressesTest {
    private static final TrustedProxies PROXIES = TrustedProxies.parse("10.0.0.0/8, 2001:db8:ffff::/48,127.0.0.1");
    private final ClientAddresses rules = new ClientAddresses(PROXIES, false);

    private static ClientAddress client(String literal) throws UnknownHostException {
        return new ClientAddress(InetAddress.getByName(literal));
    }

    private String clientOf(String peer, String header, String value) throws UnknownHostException {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (header != null) {
            headers.add(header, value);
        }
        return rules.forRequest(client(peer), headers).address().getHostAddress();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "198.51.100.7                       | 198.51.100.7",
            "203.0.113.9, 198.51.100.7          | 198.51.100.7",
            "203.0.113.9, 198.51.100.7, 10.1.2.3 | 198.51.100.7",
            "198.51.100.7:4711, 10.1.2.3        | 198.51.100.7",
            "[2001:db8::1]:80                   | 2001:db8:0:0:0:0:0:1",
            "10.9.9.9, 10.1.2.3                 | 10.9.9.9",
            "unknown, 10.1.2.3                  | 10.1.2.3",
            "203.0.113.9, garbage               | 10.0.0.1",
    })
    void walksXForwardedForFromTheRightPastTrustedProxies(String header, String expected) throws Exception {
        assertThat(clientOf("10.0.0.1", "X-Forwarded-For", header)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "for=198.51.100.7                                       | 198.51.100.7",
            "for=203.0.113.9;proto=https, for=\"198.51.100.7:4711\"  | 198.51.100.7",
            "for=\"[2001:db8::1]:4711\";by=10.0.0.1, for=10.1.2.3     | 2001:db8:0:0:0:0:0:1",
            "For=198.51.100.7;host=\"a,b\", for=10.1.2.3              | 198.51.100.7",
            "for=_hidden, for=10.1.2.3                               | 10.1.2.3",
            "by=10.0.0.1                                             | 10.0.0.1",
    })
    void walksForwardedTheSameWay(String header, String expected) throws Exception {
        assertThat(clientOf("10.0.0.1", "Forwarded", header)).isEqualTo(expected);
    }

    @Test
    void prefersForwardedOverXForwardedFor() throws Exception {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("X-Forwarded-For", "203.0.113.1")
                .add("Forwarded", "for=198.51.100.7");
        assertThat(rules.forRequest(client("10.0.0.1"), headers).address().getHostAddress())
                .isEqualTo("198.51.100.7");
    }

    @Test
    void joinsRepeatedHeadersInOrder() throws Exception {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("X-Forwarded-For", "198.51.100.7")
                .add("X-Forwarded-For", "10.2.2.2");
        assertThat(rules.forRequest(client("10.0.0.1"), headers).address().getHostAddress())
                .isEqualTo("198.51.100.7");
    }

    @Test
    void ignoresForwardingHeadersFromPeersThatAreNotTrusted() throws Exception {
        assertThat(clientOf("198.51.100.50", "X-Forwarded-For", "203.0.113.9")).isEqualTo("198.51.100.50");
        assertThat(clientOf("198.51.100.50", "Forwarded", "for=203.0.113.9")).isEqualTo("198.51.100.50");
    }

    @Test
    void ignoresForwardingHeadersUnderTheProxyProtocol() throws Exception {
        ClientAddresses proxied = new ClientAddresses(PROXIES, true);
        HttpHeaders headers = new DefaultHttpHeaders().add("X-Forwarded-For", "203.0.113.9");
        assertThat(proxied.forRequest(client("10.0.0.1"), headers).address().getHostAddress())
                .isEqualTo("10.0.0.1");
    }

    @Test
    void groupsIpv6ByItsSlash64AndKeepsIpv4Whole() throws Exception {
        ClientAddress a = client("2001:db8:1:2:aaaa::1");
        ClientAddress b = client("2001:db8:1:2:bbbb::2");
        ClientAddress other = client("2001:db8:1:3::1");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(other);
        assertThat(a.group().getHostAddress()).isEqualTo("2001:db8:1:2:0:0:0:0");
        assertThat(a).hasToString("2001:db8:1:2:0:0:0:0/64");
        assertThat(a.address().getHostAddress()).isEqualTo("2001:db8:1:2:aaaa:0:0:1");
        assertThat(client("192.0.2.1")).isNotEqualTo(client("192.0.2.2")).hasToString("192.0.2.1");
        assertThat(client("::ffff:192.0.2.1")).isEqualTo(client("192.0.2.1"));
    }

    @Test
    void trustsAddressesInsideEachCidr() throws Exception {
        assertThat(PROXIES.contains(InetAddress.getByName("10.255.0.1"))).isTrue();
        assertThat(PROXIES.contains(InetAddress.getByName("11.0.0.1"))).isFalse();
        assertThat(PROXIES.contains(InetAddress.getByName("2001:db8:ffff:1::9"))).isTrue();
        assertThat(PROXIES.contains(InetAddress.getByName("2001:db8:fffe::9"))).isFalse();
        assertThat(PROXIES.contains(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(PROXIES.contains(InetAddress.getByName("127.0.0.2"))).isFalse();
        assertThat(PROXIES.contains(InetAddress.getByName("::ffff:10.0.0.1"))).isTrue();
        assertThat(TrustedProxies.parse("0.0.0.0/0").contains(InetAddress.getByName("::1"))).isFalse();
        assertThat(TrustedProxies.parse(" ").isEmpty()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0.1/8", "proxy.example", "10.0.0.0/x", "::1/129", "10.0.0.0/8,",
            "10.0.0.0/-1"})
    void refusesWhatIsNotACidr(String list) {
        assertThatThrownBy(() -> TrustedProxies.parse(list)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'");
    }
}
