package dev.ssecast.server;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real browser over TLS: Chromium takes the server's certificate (pinned by its key, as a test CA cannot be
 * installed in a headless profile), loads a page over HTTPS and opens 20 {@code EventSource}s on that origin. ALPN
 * picks HTTP/2, so all 20 open as streams of the page's one connection and each gets the event. With HTTP/2 turned
 * off in the browser the same page gets HTTP/1.1, which holds 6 connections per origin: 6 open and the other 14
 * wait. That is the limit HTTP/2 lifts (issue 11).
 */
@Timeout(180)
class TlsBrowserIT {
    private static final Duration WITHIN = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "http/1.1"})
    void twentyEventSourcesOnOneOriginOverTls(String protocol) throws Exception {
        Chromium.binary(); // skips here where it is missing, before a server starts
        boolean h2 = protocol.equals("h2");
        X509Bundle ca = new CertificateBuilder().subject("CN=ssecast test CA").setIsCertificateAuthority(true)
                .ecp256().buildSelfSigned();
        X509Bundle leaf = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost")
                .addSanIpAddress("127.0.0.1").addExtendedKeyUsageServerAuth().ecp256().buildIssuedBy(ca);
        Files.writeString(dir.resolve("tls.crt"), leaf.getCertificatePathPEM());
        Files.writeString(dir.resolve("tls.key"), leaf.getPrivateKeyPEM());
        String spki = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(leaf.getCertificate().getPublicKey().getEncoded()));
        SSLContext trusting = SSLContext.getInstance("TLS");
        trusting.init(null, ca.toTrustManagerFactory().getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trusting).build();

        Path profile = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "chromium-profile");
        List<String> flags = new ArrayList<>(List.of("--ignore-certificate-errors-spki-list=" + spki));
        if (!h2) {
            flags.add("--disable-http2");
        }
        try (TestServer server = TestServer.start("--tls-cert", dir.resolve("tls.crt").toString(),
                "--tls-key", dir.resolve("tls.key").toString(), "--request-timeout", "2s");
             Chromium chromium = Chromium.start(profile, flags.toArray(String[]::new))) {
            URI base = URI.create("https://127.0.0.1:" + server.address().getPort() + "/");
            Chromium.Page page = chromium.open(base.resolve("/healthz").toString());
            await().atMost(WITHIN).until(() -> "ok".equals(page.eval("document.body ? document.body.innerText"
                    + ".trim() : ''")));
            assertThat(page.eval("performance.getEntriesByType('navigation')[0].nextHopProtocol"))
                    .isEqualTo(protocol);

            int open = h2 ? 20 : 6;
            page.eval("window.got = []; window.sources = [];"
                    + "for (let i = 0; i < 20; i++) { const s = new EventSource('/events?topic=tabs');"
                    + " s.onmessage = e => window.got.push(i + ':' + e.data); window.sources.push(s); } 'opened'");
            await().atMost(WITHIN).until(() -> String.valueOf(open).equals(page.eval(
                    "String(window.sources.filter(s => s.readyState === 1).length)")));
            await().atMost(WITHIN).until(() -> metric(client, base, "ssecast_open_streams").equals(open + ".0"));

            HttpResponse<String> published = client.send(HttpRequest.newBuilder(base.resolve("/events?topic=tabs"))
                    .POST(HttpRequest.BodyPublishers.ofString("to every open tab")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(published.statusCode()).isEqualTo(202);
            await().atMost(WITHIN).until(() -> String.valueOf(open).equals(page.eval("String(window.got.length)")));
            assertThat(page.eval("String(window.got.every(g => g.endsWith(':to every open tab')))"))
                    .isEqualTo("true");
            assertThat(page.eval("String(new Set(window.got.map(g => g.split(':')[0])).size)"))
                    .as("each open source got it once").isEqualTo(String.valueOf(open));
            assertThat(page.eval("String(window.sources.filter(s => s.readyState === 0).length)"))
                    .as("the rest wait for a connection").isEqualTo(String.valueOf(20 - open));
            if (h2) {
                // Chromium may open a spare connection beside the page's; with no stream on it, it is closed
                // after --request-timeout. The one left carries all 20.
                await().atMost(WITHIN).until(() -> metric(client, base, "ssecast_http2_connections").equals("1.0"));
                assertThat(metric(client, base, "ssecast_open_streams")).isEqualTo("20.0");
            }
        }
    }

    /** A gauge's value from /metrics, as Prometheus prints it, or "" when absent. */
    private static String metric(HttpClient client, URI base, String name) throws Exception {
        return metric(client.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body(), name);
    }

    private static String metric(String body, String name) {
        for (String line : body.split("\n")) {
            if (line.startsWith(name + " ")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return "";
    }
}
