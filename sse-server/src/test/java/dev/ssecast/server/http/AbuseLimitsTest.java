package dev.ssecast.server.http;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.server.auth.Authorizer;
import dev.ssecast.server.net.ClientAddress;
import dev.ssecast.server.net.PublishRate;
import dev.ssecast.server.net.TrustedProxies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.ssecast.server.http.EmbeddedHttp.channel;
import static dev.ssecast.server.http.EmbeddedHttp.readAll;
import static dev.ssecast.server.http.EmbeddedHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The abuse limits through the whole pipeline on {@link EmbeddedChannel}s: PROXY headers, the trusted-proxy rule,
 * per-address refusals, the publish rate, the request deadline (on the channel's own clock) and /metrics access.
 */
class AbuseLimitsTest {
    private static final InetSocketAddress PROXY = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress REMOTE = new InetSocketAddress("198.51.100.7", 40000);
    private static final String HEALTHZ = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";

    private final SseBroadcaster broadcaster = SseBroadcaster.builder().build();
    private final ServerMetrics metrics = new ServerMetrics();

    @AfterEach
    void close() {
        broadcaster.close();
    }

    private HttpInitializer.Builder http() {
        return HttpInitializer.builder(broadcaster).metrics(metrics)
                .publisher((topic, event) -> CompletableFuture.completedFuture(PublishResult.accepted("1")));
    }

    private double refused(Refusal reason) {
        String scrape;
        ByteBuf buf = metrics.scrape(io.netty.buffer.ByteBufAllocator.DEFAULT);
        try {
            scrape = buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
        String prefix = "ssecast_requests_refused_total{reason=\"" + reason.label() + "\"} ";
        return scrape.lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).findFirst().orElseThrow();
    }

    private static byte[] v2Header(int command, byte[] source, byte[] destination) {
        boolean v6 = source.length == 16;
        ByteBuf b = Unpooled.buffer();
        b.writeBytes(new byte[]{0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        b.writeByte(0x20 | command);
        b.writeByte(v6 ? 0x21 : 0x11);
        b.writeShort(source.length * 2 + 4);
        b.writeBytes(source).writeBytes(destination).writeShort(5555).writeShort(80);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        b.release();
        return bytes;
    }

    private HttpInitializer proxied() {
        return http().clientAddresses(TrustedProxies.parse("127.0.0.1/32"), true).build();
    }

    @Test
    void takesTheClientFromAProxyV1HeaderOfATrustedPeer() {
        EmbeddedChannel channel = channel(PROXY, proxied());
        send(channel, "PROXY TCP4 192.0.2.7 10.0.0.1 5555 80\r\n" + HEALTHZ);
        assertThat(readAll(channel)).startsWith("HTTP/1.1 200 ");
        assertThat(ClientAddress.of(channel).address().getHostAddress()).isEqualTo("192.0.2.7");
        assertThat(channel.pipeline().names()).doesNotContain("proxy-protocol", "proxy-source");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void takesTheClientFromAProxyV2HeaderOfATrustedPeerInPiecesAndOverIpv6() {
        EmbeddedChannel channel = channel(PROXY, proxied());
        byte[] source = new byte[16];
        source[0] = 0x20;
        source[1] = 0x01;
        source[2] = 0x0d;
        source[3] = (byte) 0xb8;
        source[15] = 9;
        byte[] header = v2Header(1, source, new byte[16]);
        channel.writeInbound(Unpooled.wrappedBuffer(header, 0, 7));
        channel.writeInbound(Unpooled.wrappedBuffer(header, 7, header.length - 7));
        send(channel, HEALTHZ);
        assertThat(readAll(channel)).startsWith("HTTP/1.1 200 ");
        assertThat(ClientAddress.of(channel)).hasToString("2001:db8:0:0:0:0:0:0/64");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void keepsThePeerForAProxyV2LocalCommandAsInHealthChecks() {
        EmbeddedChannel channel = channel(PROXY, proxied());
        channel.writeInbound(Unpooled.wrappedBuffer(v2Header(0, new byte[]{1, 2, 3, 4}, new byte[]{5, 6, 7, 8})));
        send(channel, HEALTHZ);
        assertThat(readAll(channel)).startsWith("HTTP/1.1 200 ");
        assertThat(ClientAddress.of(channel).address().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void readsNoProxyHeaderFromAPeerThatIsNotTrusted() {
        EmbeddedChannel channel = channel(REMOTE, proxied());
        send(channel, "PROXY TCP4 192.0.2.7 10.0.0.1 5555 80\r\n" + HEALTHZ);
        assertThat(readAll(channel)).startsWith("HTTP/1.1 400 ");
        assertThat(ClientAddress.of(channel).address().getHostAddress()).isEqualTo("198.51.100.7");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void closesATrustedProxyConnectionWithoutAHeader() {
        EmbeddedChannel channel = channel(PROXY, proxied());
        send(channel, HEALTHZ);
        assertThat(readAll(channel)).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void answersOtherRequestsOverThePerAddressLimitWith429AndRetryAfterThenCloses() {
        HttpInitializer http = http().maxConnectionsPerAddress(1).retry(Duration.ofSeconds(2)).build();
        EmbeddedChannel first = channel(REMOTE, http);
        EmbeddedChannel second = channel(REMOTE, http);
        EmbeddedChannel elsewhere = channel(new InetSocketAddress("198.51.100.8", 1), http);
        send(first, HEALTHZ);
        send(second, HEALTHZ);
        send(elsewhere, HEALTHZ);
        assertThat(readAll(first)).startsWith("HTTP/1.1 200 ");
        assertThat(readAll(second)).startsWith("HTTP/1.1 429 ").contains("retry-after: 2")
                .contains("connection: close");
        assertThat(second.isOpen()).isFalse();
        assertThat(readAll(elsewhere)).startsWith("HTTP/1.1 200 ");
        assertThat(refused(Refusal.PER_ADDRESS)).isEqualTo(1);
        first.close();
        EmbeddedChannel again = channel(REMOTE, http);
        send(again, HEALTHZ);
        assertThat(readAll(again)).as("a closed connection gives its slot back").startsWith("HTTP/1.1 200 ");
        for (EmbeddedChannel c : new EmbeddedChannel[]{first, second, elsewhere, again}) {
            assertThat(c.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void turnsASubscriberOverThePerAddressLimitAwayWith200AndARetry() {
        HttpInitializer http = http().maxConnectionsPerAddress(1).build();
        EmbeddedChannel first = channel(REMOTE, http);
        EmbeddedChannel second = channel(REMOTE, http);
        send(second, "GET /events HTTP/1.1\r\nHost: localhost\r\n\r\n");
        String answer = readAll(second);
        assertThat(answer).startsWith("HTTP/1.1 200 ").contains("text/event-stream").contains("retry: ")
                .endsWith("0\r\n\r\n");
        assertThat(second.isOpen()).isFalse();
        assertThat(refused(Refusal.PER_ADDRESS)).isEqualTo(1);
        assertThat(first.finishAndReleaseAll()).isFalse();
        assertThat(second.finishAndReleaseAll()).isFalse();
    }

    @Test
    void turnsAListedOriginAwayWithItsOwnOriginEchoedAsItsStreamWouldBe() {
        Set<String> listed = Set.of("https://app.example", "https://other.example");
        HttpInitializer http = http().maxConnectionsPerAddress(1).corsOrigin(String.join(",", listed))
                .authorization(Authorizer.builder().corsOrigins(listed).build(), listed, true).build();
        EmbeddedChannel first = channel(REMOTE, http);
        EmbeddedChannel second = channel(REMOTE, http);
        send(second, "GET /events HTTP/1.1\r\nHost: localhost\r\nOrigin: https://app.example\r\n\r\n");
        String answer = readAll(second);
        assertThat(answer).startsWith("HTTP/1.1 200 ").contains("retry: ")
                .contains("access-control-allow-origin: https://app.example\r\n")
                .contains("access-control-allow-credentials: true\r\n")
                .doesNotContain(","); // never the list itself, which no browser accepts
        assertThat(first.finishAndReleaseAll()).isFalse();
        assertThat(second.finishAndReleaseAll()).isFalse();
    }

    @Test
    void countsTheClientNamedByATrustedProxysForwardedHeader() {
        HttpInitializer http = http().maxConnectionsPerAddress(1)
                .clientAddresses(TrustedProxies.parse("127.0.0.1"), false).build();
        EmbeddedChannel a = channel(PROXY, http);
        EmbeddedChannel b = channel(PROXY, http);
        EmbeddedChannel c = channel(PROXY, http);
        send(a, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: 192.0.2.1\r\n\r\n");
        send(b, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nForwarded: for=192.0.2.2\r\n\r\n");
        send(c, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: 192.0.2.1\r\n\r\n");
        assertThat(readAll(a)).startsWith("HTTP/1.1 200 ");
        assertThat(readAll(b)).as("the proxy's own address holds nothing").startsWith("HTTP/1.1 200 ");
        assertThat(readAll(c)).startsWith("HTTP/1.1 429 ");
        for (EmbeddedChannel ch : new EmbeddedChannel[]{a, b, c}) {
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void answersPublishesOverTheRateWith429AndRetryAfterAndKeepsTheConnection() {
        AtomicLong now = new AtomicLong();
        HttpInitializer http = http().publishRate(new PublishRate(1, 2, now::get)).build();
        EmbeddedChannel channel = channel(PROXY, http);
        String publish = "POST /events?topic=t HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\nhi";
        send(channel, publish + publish + publish);
        String answers = readAll(channel);
        assertThat(answers.split("HTTP/1.1 ", -1)).hasSize(4);
        assertThat(answers).contains("HTTP/1.1 202 ").contains("HTTP/1.1 429 ").contains("retry-after: 1");
        assertThat(answers.indexOf("HTTP/1.1 429")).isGreaterThan(answers.lastIndexOf("HTTP/1.1 202"));
        assertThat(channel.isOpen()).isTrue();
        assertThat(refused(Refusal.PUBLISH_RATE)).isEqualTo(1);
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        send(channel, publish);
        assertThat(readAll(channel)).startsWith("HTTP/1.1 202 ");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void answersAHeadTrickledPastTheDeadlineWith408EvenThoughBytesKeptComing() {
        EmbeddedChannel channel = channel(REMOTE, http().requestTimeout(Duration.ofSeconds(10)).build());
        send(channel, "GET /healthz HTTP/1.1\r\n");
        for (int i = 0; i < 9; i++) {
            channel.advanceTimeBy(1, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
            send(channel, "X: y\r\n");
        }
        assertThat(readAll(channel)).isEmpty();
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(readAll(channel)).startsWith("HTTP/1.1 408 ").contains("connection: close");
        assertThat(channel.isOpen()).isFalse();
        assertThat(refused(Refusal.REQUEST_TIMEOUT)).isEqualTo(1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void startsTheDeadlineAgainAtTheEndOfEachResponseAndClosesAnIdleKeepAliveConnection() {
        EmbeddedChannel channel = channel(REMOTE, http().requestTimeout(Duration.ofSeconds(10)).build());
        channel.advanceTimeBy(9, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        send(channel, HEALTHZ);
        assertThat(readAll(channel)).startsWith("HTTP/1.1 200 ");
        channel.advanceTimeBy(9, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(readAll(channel)).startsWith("HTTP/1.1 408 ");
        assertThat(channel.isOpen()).isFalse();
        assertThat(refused(Refusal.REQUEST_TIMEOUT)).as("an idle keep-alive close is no refusal").isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void boundsTheBodyOfARefusedRequestByTheDeadline() {
        EmbeddedChannel channel = channel(PROXY, http().requestTimeout(Duration.ofSeconds(10)).build());
        send(channel, "POST /events?topic=no%20spaces HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Length: 1000000\r\n\r\nab");
        assertThat(readAll(channel)).startsWith("HTTP/1.1 400 "); // refused on its head; the connection stays
        for (int i = 0; i < 10; i++) {
            channel.advanceTimeBy(1, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
            if (channel.isOpen()) {
                send(channel, "abcdefgh");
            }
        }
        assertThat(readAll(channel)).startsWith("HTTP/1.1 408 ");
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void servesMetricsToLoopbackAlwaysAndToOthersOnlyWithTheToken() {
        String scrape = "GET /metrics HTTP/1.1\r\nHost: localhost\r\n";
        EmbeddedChannel open = channel(REMOTE, HttpInitializer.builder(broadcaster).metrics(new ServerMetrics())
                .build());
        send(open, scrape + "\r\n");
        assertThat(readAll(open)).startsWith("HTTP/1.1 403 ");

        HttpInitializer guarded = http().metricsToken("s3cret")
                .clientAddresses(TrustedProxies.parse("127.0.0.1"), false).build();
        EmbeddedChannel remote = channel(REMOTE, guarded);
        send(remote, scrape + "\r\n");
        assertThat(readAll(remote)).startsWith("HTTP/1.1 401 ").contains("www-authenticate: Bearer");
        send(remote, scrape + "Authorization: Bearer wrong\r\n\r\n");
        assertThat(readAll(remote)).startsWith("HTTP/1.1 401 ");
        send(remote, scrape + "Authorization: Bearer s3cret\r\n\r\n");
        assertThat(readAll(remote)).startsWith("HTTP/1.1 200 ").contains("ssecast_requests_refused_total");

        EmbeddedChannel local = channel(PROXY, guarded);
        send(local, scrape + "\r\n");
        assertThat(readAll(local)).startsWith("HTTP/1.1 200 ");
        send(local, scrape + "X-Forwarded-For: 198.51.100.9\r\n\r\n");
        assertThat(readAll(local)).as("a loopback proxy does not open it").startsWith("HTTP/1.1 401 ");
        assertThat(refused(Refusal.UNAUTHORIZED)).isEqualTo(3);
        for (EmbeddedChannel ch : new EmbeddedChannel[]{open, remote, local}) {
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void decidesLoopbackPublishingByTheRealClientNotByALoopbackProxy() {
        HttpInitializer http = http().clientAddresses(TrustedProxies.parse("127.0.0.1"), false).build();
        EmbeddedChannel channel = channel(PROXY, http);
        String publish = "POST /events?topic=t HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n";
        send(channel, publish + "X-Forwarded-For: 198.51.100.9\r\n\r\nhi");
        assertThat(readAll(channel)).startsWith("HTTP/1.1 403 "); // and closed, as every 403 of a publish
        EmbeddedChannel direct = channel(PROXY, http);
        send(direct, publish + "\r\nhi");
        assertThat(readAll(direct)).as("the proxy itself is loopback").startsWith("HTTP/1.1 202 ");
        assertThat(channel.finishAndReleaseAll()).isFalse();
        assertThat(direct.finishAndReleaseAll()).isFalse();
    }

    @Test
    void answersAnyPathOverThePerAddressLimitWith429() {
        HttpInitializer http = http().maxConnectionsPerAddress(1).build();
        EmbeddedChannel first = channel(REMOTE, http);
        EmbeddedChannel second = channel(REMOTE, http);
        send(second, "GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(readAll(second)).startsWith("HTTP/1.1 429 ");
        assertThat(first.finishAndReleaseAll()).isFalse();
        assertThat(second.finishAndReleaseAll()).isFalse();
    }

    @Test
    void answersABodyTrickledPastTheDeadlineWith408AndReleasesWhatItCollected() {
        EmbeddedChannel channel = channel(PROXY, http().requestTimeout(Duration.ofSeconds(10)).build());
        send(channel, "POST /events?topic=t HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nab");
        for (int i = 0; i < 10; i++) {
            channel.advanceTimeBy(1, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
            if (channel.isOpen()) {
                send(channel, "c");
            }
        }
        assertThat(readAll(channel)).startsWith("HTTP/1.1 408 ");
        assertThat(channel.isOpen()).isFalse();
        assertThat(refused(Refusal.REQUEST_TIMEOUT)).isEqualTo(1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
