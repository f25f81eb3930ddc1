package dev.ssecast.server.http;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.ssecast.server.http.EmbeddedHttp.channel;
import static dev.ssecast.server.http.EmbeddedHttp.readAll;
import static dev.ssecast.server.http.EmbeddedHttp.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The router on an {@link EmbeddedChannel}: peers and publisher answers that a socket test cannot arrange. */
class HttpRouterTest {
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");

    private final SseBroadcaster broadcaster = SseBroadcaster.builder().build();
    private final List<CompletableFuture<PublishResult>> publishes = new ArrayList<>();
    private final List<SseEvent> published = new ArrayList<>();

    @AfterEach
    void close() {
        broadcaster.close();
    }

    private HttpInitializer http(Publisher publisher) {
        return HttpInitializer.builder(broadcaster).metrics(new ServerMetrics()).publisher(publisher).build();
    }

    /** A publisher that answers only when the test completes {@link #publishes}. */
    private CompletableFuture<PublishResult> later(String topic, SseEvent event) {
        published.add(event);
        CompletableFuture<PublishResult> reply = new CompletableFuture<>();
        publishes.add(reply);
        return reply;
    }

    private static List<Integer> statuses(String responses) {
        List<Integer> statuses = new ArrayList<>();
        Matcher m = STATUS.matcher(responses);
        while (m.find()) {
            statuses.add(Integer.parseInt(m.group(1)));
        }
        return statuses;
    }

    /**
     * A stream lives for hours, and 18,000 of them held their request (headers, URI and all, about 500 B each)
     * through the client address the router remembered for the request's refusals.
     */
    @Test
    void aStreamKeepsNoReferenceToTheRequestThatOpenedIt() {
        EmbeddedChannel channel = channel(new InetSocketAddress("127.0.0.1", 50000), http(Publisher.of(broadcaster)));
        List<WeakReference<HttpRequest>> requests = new ArrayList<>();
        channel.pipeline().addAfter("http", "spy", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    requests.add(new WeakReference<>((HttpRequest) msg));
                }
                ctx.fireChannelRead(msg);
            }
        });
        send(channel, "GET /events?topic=t HTTP/1.1\r\nHost: localhost\r\nUser-Agent: test\r\n\r\n");
        channel.runPendingTasks();

        assertThat(readAll(channel)).startsWith("HTTP/1.1 200 ").contains("text/event-stream");
        assertThat(channel.pipeline().get(HttpServerCodec.class)).as("became a stream").isNull();
        assertThat(requests).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            System.gc();
            return requests.get(0).get() == null;
        });
        assertThat(channel.isActive()).as("the stream is still open").isTrue();
        channel.finishAndReleaseAll();
    }

    @Test
    void refusesPublishesFromPeersOffThisMachineWhenThereIsNoToken() {
        EmbeddedChannel channel = channel(new InetSocketAddress("192.0.2.10", 50000),
                http(Publisher.of(broadcaster)));
        send(channel, "POST /events HTTP/1.1\r\nContent-Length: 1\r\n\r\nx");
        String response = readAll(channel);
        assertThat(statuses(response)).containsExactly(403);
        assertThat(response).contains("connection: close");
        assertThat(channel.finishAndReleaseAll()).isFalse();

        EmbeddedChannel page = channel(new InetSocketAddress("192.0.2.10", 50001), http(Publisher.of(broadcaster)));
        send(page, "GET / HTTP/1.1\r\n\r\n");
        assertThat(readAll(page)).contains("<meta name=\"ssecast-publish\" content=\"closed\">");
        assertThat(page.finishAndReleaseAll()).isFalse();
    }

    @Test
    void keepsPipelinedResponsesInOrderWhileAPublishIsPending() {
        EmbeddedChannel channel = channel(new InetSocketAddress("127.0.0.1", 50000), http(this::later));
        send(channel, "POST /events?topic=t HTTP/1.1\r\nContent-Length: 5\r\n\r\nfirst"
                + "GET /healthz HTTP/1.1\r\n\r\n"
                + "POST /events?topic=t HTTP/1.1\r\nContent-Length: 6\r\n\r\nsecond");
        assertThat(readAll(channel)).as("nothing before the publisher answers").isEmpty();
        assertThat(channel.config().isAutoRead()).isFalse();

        publishes.get(0).complete(PublishResult.accepted("41"));
        channel.runPendingTasks();
        assertThat(statuses(readAll(channel))).containsExactly(202, 200);
        assertThat(publishes).hasSize(2);

        publishes.get(1).complete(PublishResult.accepted("42"));
        channel.runPendingTasks();
        String last = readAll(channel);
        assertThat(statuses(last)).containsExactly(202);
        assertThat(last).endsWith("{\"id\":\"42\"}");
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(published).extracting(SseEvent::data).containsExactly("first", "second");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void answersAFullQueueWith503AndRetryAfterOneSecond() {
        EmbeddedChannel channel = channel(new InetSocketAddress("127.0.0.1", 50000),
                http((topic, event) -> CompletableFuture.completedFuture(PublishResult.queueFull())));
        send(channel, "POST /events HTTP/1.1\r\nContent-Length: 1\r\n\r\nx");
        String response = readAll(channel);
        assertThat(statuses(response)).containsExactly(503);
        assertThat(response).contains("retry-after: 1\r\n");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void answersAFailedPublishWith503() {
        EmbeddedChannel channel = channel(new InetSocketAddress("127.0.0.1", 50000),
                http((topic, event) -> CompletableFuture.failedFuture(new IllegalStateException("log is down"))));
        send(channel, "POST /events HTTP/1.1\r\nContent-Length: 1\r\n\r\nx");
        String response = readAll(channel);
        assertThat(statuses(response)).containsExactly(503);
        assertThat(response).contains("retry-after: 3\r\n");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void answersBadInputThatThePublisherRefusesWith400AndItsMessageWithoutRetryAfter() {
        List<Publisher> refusing = List.of(
                (topic, event) -> {
                    throw new IllegalArgumentException("refused at once");
                },
                (topic, event) -> CompletableFuture.failedFuture(new IllegalArgumentException("refused at once")));
        for (Publisher publisher : refusing) {
            EmbeddedChannel channel = channel(new InetSocketAddress("127.0.0.1", 50000), http(publisher));
            send(channel, "POST /events HTTP/1.1\r\nContent-Length: 1\r\n\r\nx");
            String response = readAll(channel);
            assertThat(statuses(response)).containsExactly(400);
            assertThat(response).endsWith("refused at once\n").doesNotContain("retry-after");
            send(channel, "GET /healthz HTTP/1.1\r\n\r\n");
            assertThat(statuses(readAll(channel))).as("the connection stays usable").containsExactly(200);
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void answersBadInputThatThePublisherRefusesLaterWith400() {
        EmbeddedChannel channel = channel(new InetSocketAddress("127.0.0.1", 50000), http(this::later));
        send(channel, "POST /events HTTP/1.1\r\nContent-Length: 1\r\n\r\nx");
        assertThat(readAll(channel)).isEmpty();
        publishes.get(0).completeExceptionally(new IllegalArgumentException("refused later"));
        channel.runPendingTasks();
        String response = readAll(channel);
        assertThat(statuses(response)).containsExactly(400);
        assertThat(response).endsWith("refused later\n").doesNotContain("retry-after");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void answersAPublisherThatThrowsSomethingElseWith503AndRetryAfter() {
        EmbeddedChannel channel = channel(new InetSocketAddress("127.0.0.1", 50000), http((topic, event) -> {
            throw new IllegalStateException("log is down");
        }));
        send(channel, "POST /events HTTP/1.1\r\nContent-Length: 1\r\n\r\nx");
        String response = readAll(channel);
        assertThat(statuses(response)).containsExactly(503);
        assertThat(response).contains("retry-after: 3\r\n");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void releasesAHalfReadBodyWhenTheConnectionCloses() {
        EmbeddedChannel channel = channel(new InetSocketAddress("127.0.0.1", 50000), http(this::later));
        send(channel, "POST /events HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly part of it");
        assertThat(readAll(channel)).isEmpty();
        channel.close();
        assertThat(published).isEmpty();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void refusesAControlCharacterInTheTargetAndReadsNothingBehindIt() {
        EmbeddedChannel channel = channel(new InetSocketAddress("127.0.0.1", 50000), http(this::later));
        send(channel, "POST /events?topic=t\u0000 HTTP/1.1\r\nContent-Length: 1\r\n\r\nx"
                + "GET /healthz HTTP/1.1\r\n\r\n");
        String response = readAll(channel);
        assertThat(statuses(response)).containsExactly(400);
        assertThat(response).contains("connection: close\r\n").endsWith("malformed request target\n");
        assertThat(published).isEmpty();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void refusesContentLengthWithTransferEncodingBeforeUsingTheBody() {
        EmbeddedChannel channel = channel(new InetSocketAddress("127.0.0.1", 50000), http(this::later));
        send(channel, "POST /events?topic=t HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n");
        String response = readAll(channel);
        assertThat(statuses(response)).containsExactly(400);
        assertThat(response).contains("connection: close\r\n");
        assertThat(published).isEmpty();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
