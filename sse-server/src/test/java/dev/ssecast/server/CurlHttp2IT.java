package dev.ssecast.server;

import dev.ssecast.core.testing.ExternalBinary;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * curl (with nghttp2) speaks HTTP/2 to the server: {@code --http2-prior-knowledge} on the plain port, and
 * {@code --http2} over TLS, where ALPN picks {@code h2}; {@code %{http_version}} says 2 for a probe, a publish and
 * an event stream. Plain {@code --http1.1} still gets 1.1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CurlHttp2IT {
    @TempDir
    Path dir;

    /** Runs curl with {@code args} plus {@code -sS -w '\n%{http_version} %{http_code}'}; returns its output. */
    private static String curl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ExternalBinary.require("curl", "curl").toString(), "-sS",
                "-w", "\n%{http_version} %{http_code}"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void priorKnowledgeOnThePlainPort() throws Exception {
        try (TestServer server = TestServer.start()) {
            String base = "http://127.0.0.1:" + server.address().getPort();
            assertThat(curl("--http2-prior-knowledge", base + "/healthz")).endsWith("\n2 200");
            String before = server.publish("c", "before");
            String published = curl("--http2-prior-knowledge", "-d", "over h2c", base + "/events?topic=c");
            assertThat(published).endsWith("\n2 202");
            String id = published.replaceAll("(?s)^\\{\"id\":\"([^\"]+)\".*", "$1");
            org.awaitility.Awaitility.await().until(() -> server.server.broadcaster().eventsPublished() >= 2);
            // An event stream that resumes after the first event: the replay comes at once; --max-time ends it
            String stream = curl("--http2-prior-knowledge", "-N", "--max-time", "2", "-H", "Last-Event-ID: " + before,
                    base + "/events?topic=c");
            assertThat(stream).contains("data: over h2c\n").contains("id: " + id + "\n").endsWith("\n2 200");
            assertThat(curl("--http1.1", base + "/healthz")).endsWith("\n1.1 200");
        }
    }

    @Test
    void alpnOverTls() throws Exception {
        X509Bundle ca = new CertificateBuilder().subject("CN=ssecast test CA").setIsCertificateAuthority(true)
                .ecp256().buildSelfSigned();
        X509Bundle leaf = new CertificateBuilder().subject("CN=localhost").addSanIpAddress("127.0.0.1")
                .addExtendedKeyUsageServerAuth().ecp256().buildIssuedBy(ca);
        Files.writeString(dir.resolve("tls.crt"), leaf.getCertificatePathPEM());
        Files.writeString(dir.resolve("tls.key"), leaf.getPrivateKeyPEM());
        Files.writeString(dir.resolve("ca.crt"), ca.getCertificatePEM());
        try (TestServer server = TestServer.start("--tls-cert", dir.resolve("tls.crt").toString(),
                "--tls-key", dir.resolve("tls.key").toString())) {
            String base = "https://127.0.0.1:" + server.address().getPort();
            String trust = dir.resolve("ca.crt").toString();
            assertThat(curl("--http2", "--cacert", trust, base + "/healthz")).endsWith("\n2 200");
            assertThat(curl("--http2", "--cacert", trust, "-d", "over h2", base + "/events?topic=t"))
                    .endsWith("\n2 202");
            assertThat(curl("--http1.1", "--cacert", trust, base + "/healthz")).endsWith("\n1.1 200");
        }
    }
}
