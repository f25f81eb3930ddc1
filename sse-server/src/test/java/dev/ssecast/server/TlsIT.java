package dev.ssecast.server;

import ch.qos.logback.classic.Level;
import dev.ssecast.core.SseEvent;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The server over TLS, with a certificate authority made in the test: streams and publishes over HTTPS, ALPN,
 * no plaintext on the TLS port, and a reload of the pair while a stream stays open.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsIT {
    @TempDir
    Path dir;
    private X509Bundle ca;
    private SSLContext trusting;
    private TestServer server;

    @BeforeEach
    void makeTheAuthority() throws Exception {
        ca = new CertificateBuilder().subject("CN=ssecast test CA").setIsCertificateAuthority(true).ecp256()
                .buildSelfSigned();
        trusting = SSLContext.getInstance("TLS");
        trusting.init(null, ca.toTrustManagerFactory().getTrustManagers(), null);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A certificate for 127.0.0.1 and localhost issued by the test authority. */
    private X509Bundle leaf(long serial, boolean rsa) throws Exception {
        CertificateBuilder builder = new CertificateBuilder().subject("CN=localhost").serial(BigInteger.valueOf(serial))
                .addSanDnsName("localhost").addSanIpAddress("127.0.0.1").addExtendedKeyUsageServerAuth();
        return (rsa ? builder.rsa2048() : builder.ecp256()).buildIssuedBy(ca);
    }

    /** Writes the pair as a secret mount does: a new file moved over the old one. */
    private void install(X509Bundle cert, X509Bundle key) throws IOException {
        replace(dir.resolve("tls.crt"), cert.getCertificatePathPEM());
        replace(dir.resolve("tls.key"), key.getPrivateKeyPEM());
    }

    private void replace(Path file, String content) throws IOException {
        Path next = Files.writeString(dir.resolve(file.getFileName() + ".next"), content);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void start(String... more) {
        List<String> args = new ArrayList<>(List.of("--tls-cert", dir.resolve("tls.crt").toString(),
                "--tls-key", dir.resolve("tls.key").toString(), "--tls-reload-check", "100ms"));
        args.addAll(List.of(more));
        server = TestServer.start(args.toArray(String[]::new));
    }

    private URI base() {
        return URI.create("https://127.0.0.1:" + server.address().getPort() + "/");
    }

    private HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trusting)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A new connection's handshake, offering {@code h2} and {@code http/1.1}; returns the socket, connected. */
    private SSLSocket handshake() throws IOException {
        SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket("127.0.0.1",
                server.address().getPort());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(5000);
        socket.startHandshake();
        return socket;
    }

    private BigInteger servedSerial() throws IOException {
        try (SSLSocket socket = handshake()) {
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    /** A metric's value from /metrics (over TLS, from loopback), or NaN when it is absent. */
    private double metric(HttpClient client, String name) throws IOException, InterruptedException {
        String body = client.send(HttpRequest.newBuilder(base().resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        return Double.NaN;
    }

    private void publish(HttpClient client, String data) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(base().resolve("/events?topic=t"))
                .POST(HttpRequest.BodyPublishers.ofString(data)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aClientThatResetsDuringItsHandshakeIsADebugLineNotAWarning(String provider) throws Exception {
        X509Bundle leaf = leaf(1, false);
        install(leaf, leaf);
        start("--tls-provider", provider);
        HttpClient client = client();
        try (LogCapture logs = new LogCapture(ch.qos.logback.classic.Level.DEBUG)) {
            for (int i = 0; i < 10; i++) {
                try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.address().getPort())) {
                    // the head of a TLS record that never comes whole, then a reset (RST, not FIN)
                    socket.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
                    socket.getOutputStream().flush();
                    socket.setSoLinger(true, 0);
                }
            }
            assertThat(metric(client, "ssecast_open_connections")).isGreaterThanOrEqualTo(1); // this client's
            await().atMost(Duration.ofSeconds(10)).until(() -> metric(client, "ssecast_open_connections") == 1);
            assertThat(logs.lines()).noneMatch(line -> line.startsWith("WARN") || line.startsWith("ERROR"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void streamsAndPublishesOverTlsWithAnEcAndAnRsaCertificate(String provider) throws Exception {
        for (boolean rsa : new boolean[] {false, true}) {
            X509Bundle leaf = leaf(rsa ? 2 : 1, rsa);
            install(leaf, leaf);
            start("--tls-provider", provider);
            HttpClient client = client();
            try (EventStream stream = EventStream.open(client, base(), "/events?topic=t")) {
                stream.awaitRetry();
                publish(client, "over tls");
                SseEvent event = stream.awaitEvent();
                assertThat(event.data()).isEqualTo("over tls");
            }
            try (SSLSocket socket = handshake()) {
                assertThat(socket.getApplicationProtocol()).as("ALPN prefers HTTP/2").isEqualTo("h2");
                assertThat(socket.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
            }
            server.close();
            server = null;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void resumesASessionOnTheNextConnection(String provider) throws Exception {
        X509Bundle leaf = leaf(1, false);
        install(leaf, leaf);
        start("--tls-provider", provider);
        SSLContext client = SSLContext.getInstance("TLSv1.2"); // a resumed 1.2 session keeps its id: visible here
        client.init(null, ca.toTrustManagerFactory().getTrustManagers(), null);
        byte[][] ids = new byte[2][];
        long[] created = new long[2];
        for (int i = 0; i < 2; i++) {
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1",
                    server.address().getPort())) {
                socket.setEnabledProtocols(new String[] {"TLSv1.2"});
                socket.setSoTimeout(5000);
                socket.startHandshake();
                ids[i] = socket.getSession().getId();
                created[i] = socket.getSession().getCreationTime();
            }
        }
        assertThat(ids[1]).as("the second handshake resumed the first session").isEqualTo(ids[0]).isNotEmpty();
        assertThat(created[1]).isEqualTo(created[0]);
    }

    @Test
    void answersNoPlaintextOnTheTlsPort() throws Exception {
        X509Bundle leaf = leaf(1, false);
        install(leaf, leaf);
        start();
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()), 5000);
            plain.setSoTimeout(5000);
            OutputStream out = plain.getOutputStream();
            out.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = plain.getInputStream();
            byte[] answer = in.readAllBytes(); // the server closes the connection
            assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/1.1");
        }
        // And the server still serves TLS clients.
        assertThat(servedSerial()).isEqualTo(BigInteger.ONE);
    }

    @Test
    void servesANewPairToNewConnectionsWithoutDroppingOpenStreamsAndKeepsItWhenTheNextIsBad() throws Exception {
        X509Bundle first = leaf(1, false);
        install(first, first);
        start();
        HttpClient client = client();
        try (LogCapture logs = new LogCapture(Level.WARN);
             EventStream stream = EventStream.open(client, base(), "/events?topic=t")) {
            stream.awaitRetry();
            assertThat(servedSerial()).isEqualTo(BigInteger.ONE);

            X509Bundle second = leaf(2, true);
            install(second, second);
            await().atMost(Duration.ofSeconds(10)).until(() -> servedSerial().equals(BigInteger.TWO));
            publish(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trusting).build(),
                    "after the reload");
            assertThat(stream.awaitEvent().data()).as("the open stream was not dropped").isEqualTo("after the reload");

            X509Bundle third = leaf(3, false);
            install(third, second); // a key that does not match its certificate
            await().atMost(Duration.ofSeconds(10)).until(() -> logs.lines().stream()
                    .anyMatch(line -> line.contains("kept the certificate in use") && line.contains("does not match")));
            assertThat(servedSerial()).as("the old pair stays").isEqualTo(BigInteger.TWO);
            assertThat(logs.lines().stream().filter(line -> line.contains("kept the certificate in use")))
                    .as("one warning for the bad pair, not one per check").hasSize(1);
            assertThat(metric(client, "ssecast_tls_reloads_refused_total")).as("counted once").isEqualTo(1.0);
            assertThat(metric(client, "ssecast_tls_certificate_expiry_seconds")).as("the kept pair's")
                    .isEqualTo(second.getCertificate().getNotAfter().getTime() / 1000.0);

            install(third, third);
            await().atMost(Duration.ofSeconds(10)).until(() -> servedSerial().equals(BigInteger.valueOf(3)));
        }
    }

    @Test
    void aConnectionThatNeverCompletesItsHandshakeIsClosedAtTheRequestDeadline() throws Exception {
        X509Bundle leaf = leaf(1, false);
        install(leaf, leaf);
        server = TestServer.start("--tls-cert", dir.resolve("tls.crt").toString(),
                "--tls-key", dir.resolve("tls.key").toString(), "--request-timeout", "1s");
        try (Socket silent = new Socket()) {
            silent.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()), 5000);
            silent.setSoTimeout(8000); // SslHandler's own handshake timeout is 10 s: closed well before it
            long start = System.nanoTime();
            assertThat(silent.getInputStream().read()).as("closed, nothing sent").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        }
    }

    @Test
    void readsAProxyHeaderBeforeTheHandshake() throws Exception {
        X509Bundle leaf = leaf(1, false);
        install(leaf, leaf);
        server = TestServer.start("--tls-cert", dir.resolve("tls.crt").toString(),
                "--tls-key", dir.resolve("tls.key").toString(), "--proxy-protocol", "--trusted-proxies", "127.0.0.1/32");
        try (Socket tcp = new Socket()) {
            tcp.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()), 5000);
            tcp.getOutputStream().write("PROXY TCP4 192.0.2.7 127.0.0.1 50000 443\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            try (SSLSocket tls = (SSLSocket) trusting.getSocketFactory().createSocket(tcp, "127.0.0.1",
                    server.address().getPort(), false)) {
                tls.setSoTimeout(5000);
                tls.startHandshake();
                tls.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = new String(tls.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(answer).startsWith("HTTP/1.1 200 ");
            }
        }
    }

    @Test
    void refusesToStartWithAKeyThatIsNotPkcs8AndNamesTheFix() throws Exception {
        X509Bundle leaf = leaf(1, true);
        install(leaf, leaf);
        String pkcs8 = leaf.getPrivateKeyPEM();
        String body = pkcs8.substring(pkcs8.indexOf('\n') + 1, pkcs8.indexOf("-----END"));
        Files.writeString(dir.resolve("tls.key"), "-----BEGIN RSA PRIVATE KEY-----\n" + body
                + "-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(this::start)
                .hasMessageContaining("--tls-key")
                .hasMessageContaining("PKCS#8")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt -in " + dir.resolve("tls.key"));
    }

    @Test
    void refusesToStartWithOnlyOneOfTheTwoFiles() throws Exception {
        X509Bundle leaf = leaf(1, false);
        install(leaf, leaf);
        assertThatThrownBy(() -> TestServer.start("--tls-cert", dir.resolve("tls.crt").toString()))
                .hasMessageContaining("--tls-cert and --tls-key go together");
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefusedInTheHandshake() throws Exception {
        X509Bundle leaf = leaf(1, false);
        install(leaf, leaf);
        start();
        HttpClient untrusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertThatThrownBy(() -> untrusting.send(HttpRequest.newBuilder(base().resolve("/healthz")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
        assertThat(servedSerial()).isEqualTo(BigInteger.ONE);
    }
}
