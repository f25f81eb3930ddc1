package dev.ssecast.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loopback mode (no token, no key): only this machine may publish, no web page in one of its browsers may, and
 * on a loopback listener a name rebound to 127.0.0.1 (DNS rebinding) can neither publish nor read.
 */
@Timeout(60)
class LoopbackModeIT {

    private static RawConnection.Response send(TestServer server, String request) throws Exception {
        try (RawConnection raw = server.raw()) {
            return raw.send(request).readResponse();
        }
    }

    private static String publish(String... headers) {
        StringBuilder request = new StringBuilder("POST /events?topic=t HTTP/1.1\r\nContent-Length: 1\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        return request.append("\r\nx").toString();
    }

    @Test
    void refusesAPublishCarryingAnyOriginThatIsNotListed() throws Exception {
        try (TestServer server = TestServer.start()) {
            assertThat(send(server, publish("Host: localhost")).status()).isEqualTo(202);
            assertThat(send(server, publish("Host: localhost:8080", "Origin: http://localhost:8080")).status())
                    .as("the server's own live page").isEqualTo(202);
            for (String origin : new String[] {"http://evil.example", "null", "http://localhost:3000"}) {
                RawConnection.Response refused = send(server, publish("Host: localhost", "Origin: " + origin));
                assertThat(refused.status()).as(origin).isEqualTo(403);
                assertThat(refused.body()).contains("--cors-origin");
            }
        }
        try (TestServer listing = TestServer.start("--cors-origin", "http://localhost:3000")) {
            assertThat(send(listing, publish("Host: localhost", "Origin: http://localhost:3000")).status())
                    .isEqualTo(202);
            assertThat(send(listing, publish("Host: localhost", "Origin: null")).status()).isEqualTo(403);
        }
    }

    @Test
    void refusesEveryRouteWhoseHostIsNotALoopbackName() throws Exception {
        try (TestServer server = TestServer.start()) {
            RawConnection.Response publish = send(server, publish("Host: rebound.example:8080"));
            assertThat(publish.status()).isEqualTo(403);
            for (String target : new String[] {"/events?topic=t", "/", "/metrics"}) {
                RawConnection.Response read = send(server, "GET " + target + " HTTP/1.1\r\n"
                        + "Host: rebound.example\r\nAccept: text/event-stream\r\n\r\n");
                assertThat(read.status()).as(target).isEqualTo(403);
                assertThat(read.body()).contains("loopback names only");
            }
            for (String host : new String[] {"localhost", "127.0.0.1:" + server.address().getPort(), "[::1]"}) {
                assertThat(send(server, "GET /healthz HTTP/1.1\r\nHost: " + host + "\r\n\r\n").status()).as(host)
                        .isEqualTo(200);
            }
        }
    }

    @Test
    void leavesTheHostRuleToTheTokenOnceATokenIsSet() throws Exception {
        try (TestServer server = TestServer.start("--publish-token", "publish-token-0123456789")) {
            assertThat(send(server, "GET /healthz HTTP/1.1\r\nHost: public.example\r\n\r\n").status())
                    .isEqualTo(200);
            assertThat(send(server, publish("Host: public.example", "Origin: https://page.example",
                    "Authorization: Bearer publish-token-0123456789")).status()).isEqualTo(202);
        }
    }
}
