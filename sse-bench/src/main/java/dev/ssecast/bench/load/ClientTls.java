package dev.ssecast.bench.load;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import javax.net.ssl.SSLException;
import java.net.URI;

/**
 * TLS for the load generator's connections to an {@code https://} URL: OpenSSL where it loads, trusting any
 * certificate (the generator measures a server it was pointed at on this machine; it does not authenticate it),
 * with no host name check.
 */
final class ClientTls {
    private ClientTls() {
    }

    /** A client context for {@code url}, or null for {@code http://}. */
    static SslContext forUrl(URI url) {
        if (!"https".equalsIgnoreCase(url.getScheme())) {
            return null;
        }
        try {
            return SslContextBuilder.forClient()
                    .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .endpointIdentificationAlgorithm(null)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot make a TLS client: " + e.getMessage(), e);
        }
    }

    /**
     * A client context for {@code url} whose ALPN offers only {@code h2}, or null for {@code http://} (HTTP/2 with
     * prior knowledge).
     */
    static SslContext forH2(URI url) {
        if (!"https".equalsIgnoreCase(url.getScheme())) {
            return null;
        }
        try {
            return SslContextBuilder.forClient()
                    .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .endpointIdentificationAlgorithm(null)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2))
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot make a TLS client: " + e.getMessage(), e);
        }
    }

    /** The URL's port, or its scheme's default. */
    static int port(URI url) {
        return url.getPort() != -1 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }
}
