package dev.ssecast.bench.jmh;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.netty.util.ReferenceCountUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Full TLS handshakes per second on one core, for the server's provider: the JDK's or OpenSSL's (BoringSSL,
 * {@code netty-tcnative-boringssl-static}), with an EC P-256 or an RSA 2048 certificate, TLS 1.3 or 1.2. Both
 * engines run in memory on the benchmark thread; the client is always OpenSSL's, so the client's share of each
 * handshake is the same in every row and the rows differ by the server's provider alone. No session is resumed
 * (each client engine has no peer to resume with): this is the cost of a reconnect storm's new sessions.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TlsHandshakeBenchmark {
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    @Param({"JDK", "OPENSSL"})
    public String provider;

    @Param({"ec", "rsa"})
    public String key;

    @Param({"TLSv1.3", "TLSv1.2"})
    public String protocol;

    private SslContext server;
    private SslContext client;
    private final ByteBuffer toServer = ByteBuffer.allocateDirect(1 << 17);
    private final ByteBuffer toClient = ByteBuffer.allocateDirect(1 << 17);
    private final ByteBuffer application = ByteBuffer.allocateDirect(1 << 17);

    @Setup
    public void setUp() throws Exception {
        X509Bundle ca = new CertificateBuilder().subject("CN=bench CA").setIsCertificateAuthority(true).ecp256()
                .buildSelfSigned();
        CertificateBuilder leaf = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost")
                .addExtendedKeyUsageServerAuth();
        X509Bundle cert = ("rsa".equals(key) ? leaf.rsa2048() : leaf.ecp256()).buildIssuedBy(ca);
        server = SslContextBuilder.forServer(cert.getKeyPair().getPrivate(), cert.getCertificatePath())
                .sslProvider(SslProvider.valueOf(provider)).protocols(protocol).build();
        client = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL).protocols(protocol)
                .trustManager(ca.getCertificate())
                .endpointIdentificationAlgorithm(null) // no peer name: a fresh, never resumed session each time
                .build();
        handshake(); // fails here, not in the measurement, if the pair cannot shake hands
    }

    /** One full handshake; returns the server's negotiated protocol, so that the work is consumed. */
    @Benchmark
    public String handshake() throws SSLException {
        SSLEngine c = client.newEngine(ByteBufAllocator.DEFAULT);
        SSLEngine s = server.newEngine(ByteBufAllocator.DEFAULT);
        toServer.clear().flip();
        toClient.clear().flip();
        try {
            c.beginHandshake();
            s.beginHandshake();
            for (int round = 0; round < 16; round++) {
                if (idle(c) && idle(s)) {
                    return s.getSession().getProtocol();
                }
                flight(c, toServer, s);
                flight(s, toClient, c);
            }
            throw new IllegalStateException("no handshake after 16 rounds: client " + c.getHandshakeStatus()
                    + ", server " + s.getHandshakeStatus());
        } finally {
            ReferenceCountUtil.release(c);
            ReferenceCountUtil.release(s);
        }
    }

    private static boolean idle(SSLEngine engine) {
        SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
        return status == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                || status == SSLEngineResult.HandshakeStatus.FINISHED;
    }

    /**
     * Everything {@code from} has to send, wrapped into {@code wire} (which keeps what {@code to} has not read yet),
     * and unwrapped by {@code to} as far as it will.
     */
    private void flight(SSLEngine from, ByteBuffer wire, SSLEngine to) throws SSLException {
        wire.compact();
        // Wrap until nothing more comes out, whatever the status says (OpenSSL's engine reports NEED_UNWRAP while
        // it still holds output).
        while (true) {
            SSLEngineResult result = from.wrap(NOTHING, wire);
            runTasks(from);
            if (result.bytesProduced() == 0 || result.getStatus() != SSLEngineResult.Status.OK) {
                break;
            }
        }
        wire.flip();
        while (wire.hasRemaining()) {
            application.clear();
            SSLEngineResult result = to.unwrap(wire, application);
            boolean ranTasks = runTasks(to);
            if (result.bytesConsumed() == 0 && !ranTasks) {
                break;
            }
        }
    }

    private static boolean runTasks(SSLEngine engine) {
        boolean ran = false;
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
            ran = true;
        }
        return ran;
    }
}
