package dev.ssecast.server.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TLS on the listener: the certificate chain of {@code --tls-cert} and the PKCS#8 key of {@code --tls-key}, both
 * PEM; TLS 1.3 and 1.2 only, with RFC 9113's cipher rules ({@link Http2SecurityUtil}); ALPN offering
 * {@code h2} and {@code http/1.1}; session resumption on (the provider's session
 * cache and TLS 1.3 tickets); OpenSSL (BoringSSL) where it loads, else the JDK's provider ({@link Provider}).
 *
 * <p>{@link #reloadIfChanged} reads both files again and swaps in the new pair when their bytes changed, since
 * certbot and Kubernetes secret mounts replace the files rather than signal the process. New connections get the
 * new pair; open ones keep the one they shook hands with. A pair that does not load (unreadable, not PEM, a key
 * that is not PKCS#8, a key that does not match the certificate) is refused with one warning per bad content, and
 * the old pair stays. Thread-safe.
 */
public final class ServerTls {
    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----\\s*([A-Za-z0-9+/=\\s]+?)-----END PRIVATE KEY-----");

    /** Which TLS implementation serves the handshakes. */
    public enum Provider {
        /** OpenSSL (BoringSSL, from the jar's natives) where it loads, else the JDK's. */
        AUTO,
        /** BoringSSL through netty-tcnative: about 1.7 to 4 times the JDK's handshakes per core. */
        OPENSSL,
        /** The JDK's own. */
        JDK;

        /** The provider {@code this} means on this machine; the reason OpenSSL does not load, when it does not. */
        SslProvider resolve() {
            if (this == JDK || this == AUTO && !OpenSsl.isAvailable()) {
                return SslProvider.JDK;
            }
            if (!OpenSsl.isAvailable()) {
                throw new IllegalArgumentException("--tls-provider openssl: OpenSSL does not load on this machine ("
                        + OpenSsl.unavailabilityCause() + "); use auto or jdk");
            }
            return SslProvider.OPENSSL;
        }
    }

    private final Path certFile;
    private final Path keyFile;
    private final SslProvider provider;
    private volatile Loaded current;
    /** The digest of the last pair refused, so that a bad pair is warned about once, not at every check. */
    private byte[] refused;
    /** Changed pairs refused so far, each counted once (as it is warned about). */
    private final AtomicLong refusals = new AtomicLong();

    private record Loaded(SslContext context, X509Certificate certificate, byte[] digest) {
    }

    private ServerTls(Path certFile, Path keyFile, SslProvider provider, Loaded loaded) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.provider = provider;
        this.current = loaded;
    }

    /**
     * Loads the pair for start-up.
     *
     * @throws IllegalArgumentException saying what is wrong with the files, and how to fix a key that is not
     *                                  PKCS#8
     */
    public static ServerTls load(Path certFile, Path keyFile, Provider provider) {
        SslProvider resolved = provider.resolve();
        return new ServerTls(certFile, keyFile, resolved, read(certFile, keyFile, resolved));
    }

    /** The provider that serves the handshakes: OpenSSL or the JDK's. */
    public String provider() {
        return provider == SslProvider.JDK ? "JDK" : "OpenSSL (" + OpenSsl.versionString() + ")";
    }

    /** Why OpenSSL does not serve, or null when it does (or was not asked for). */
    public String openSslUnavailable() {
        return provider == SslProvider.JDK && !OpenSsl.isAvailable() ? String.valueOf(OpenSsl.unavailabilityCause())
                : null;
    }

    /** A handler for a new connection, with the pair loaded last. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        return current.context.newHandler(alloc);
    }

    /** The leaf certificate new connections are served. */
    public X509Certificate certificate() {
        return current.certificate;
    }

    /**
     * Reads the files again; when their bytes changed and they load, new connections get the new pair from now on.
     * Returns whether it swapped. A bad pair is logged once and changes nothing.
     */
    public synchronized boolean reloadIfChanged() {
        byte[] digest;
        try {
            digest = digest(Files.readAllBytes(certFile), Files.readAllBytes(keyFile));
        } catch (IOException e) {
            warnOnce(new byte[0], "cannot read " + certFile + " or " + keyFile + ": " + e.getMessage());
            return false;
        }
        if (Arrays.equals(digest, current.digest) || Arrays.equals(digest, refused)) {
            return false;
        }
        try {
            Loaded loaded = read(certFile, keyFile, provider);
            current = loaded;
            refused = null;
            LOG.info("TLS: loaded the new certificate {} (serial {}, valid until {}) for new connections",
                    loaded.certificate.getSubjectX500Principal().getName(),
                    loaded.certificate.getSerialNumber().toString(16), loaded.certificate.getNotAfter().toInstant());
            return true;
        } catch (IllegalArgumentException bad) {
            warnOnce(digest, bad.getMessage());
            return false;
        }
    }

    /** Changed pairs that did not load, each counted once. */
    public long refusals() {
        return refusals.get();
    }

    private void warnOnce(byte[] digest, String problem) {
        if (!Arrays.equals(digest, refused)) {
            refused = digest;
            refusals.incrementAndGet();
            LOG.warn("TLS: kept the certificate in use; the changed files do not load: {}", problem);
        }
    }

    private static Loaded read(Path certFile, Path keyFile, SslProvider provider) {
        byte[] certPem = readFile(certFile, "--tls-cert");
        byte[] keyPem = readFile(keyFile, "--tls-key");
        X509Certificate[] chain = certificates(certPem, certFile);
        PrivateKey key = privateKey(keyPem, keyFile);
        checkPair(chain[0], key, certFile, keyFile);
        try {
            SslContext context = SslContextBuilder.forServer(key, chain)
                    .sslProvider(provider)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                    .sessionCacheSize(20_480)
                    .sessionTimeout(86_400)
                    .build();
            return new Loaded(context, chain[0], digest(certPem, keyPem));
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot serve TLS with " + certFile + " and " + keyFile + ": "
                    + e.getMessage(), e);
        }
    }

    private static byte[] readFile(Path file, String option) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + file + ": cannot read it (" + e + ")");
        }
    }

    private static X509Certificate[] certificates(byte[] pem, Path file) {
        try {
            X509Certificate[] chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem)).toArray(X509Certificate[]::new);
            if (chain.length == 0) {
                throw new IllegalArgumentException("--tls-cert " + file + " holds no PEM certificate");
            }
            return chain;
        } catch (CertificateException e) {
            throw new IllegalArgumentException("--tls-cert " + file + " is not a PEM certificate chain: "
                    + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(byte[] pem, Path file) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new IllegalArgumentException("--tls-key " + file + " is a PKCS#1 or SEC 1 key (\"BEGIN RSA "
                    + "PRIVATE KEY\" or \"BEGIN EC PRIVATE KEY\"); the server reads PKCS#8 (\"BEGIN PRIVATE KEY\"). "
                    + "Convert it: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out " + file + ".pk8");
        }
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new IllegalArgumentException("--tls-key " + file + " is encrypted; the server reads an "
                    + "unencrypted PKCS#8 key (keep it readable by the server only): openssl pkcs8 -topk8 -nocrypt "
                    + "-in " + file + " -out " + file + ".pk8");
        }
        Matcher m = PRIVATE_KEY.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("--tls-key " + file + " holds no PEM private key "
                    + "(\"-----BEGIN PRIVATE KEY-----\")");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("--tls-key " + file + " is not an RSA, EC or Ed25519 PKCS#8 key");
    }

    /** Signs with the key and verifies with the certificate, so that a mismatched pair fails here, not at clients. */
    private static void checkPair(X509Certificate leaf, PrivateKey key, Path certFile, Path keyFile) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException mismatch) {
            // a key of another type than the certificate's: reported below
        }
        throw new IllegalArgumentException("--tls-key " + keyFile + " does not match the certificate of --tls-cert "
                + certFile + " (" + leaf.getSubjectX500Principal().getName() + ")");
    }

    private static byte[] digest(byte[] cert, byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(cert);
            sha.update((byte) 0);
            sha.update(key);
            return sha.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
