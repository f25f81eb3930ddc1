package dev.ssecast.core;

import dev.ssecast.core.internal.StreamSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SseHandlerTest {
    private static final String HEAD = "HTTP/1.1 200 OK\r\n"
            + "content-type: text/event-stream; charset=utf-8\r\n"
            + "cache-control: no-cache\r\n"
            + "x-accel-buffering: no\r\n"
            + "transfer-encoding: chunked\r\n";

    private final SseBroadcaster broadcaster = SseBroadcaster.builder().firstId(1).buildWithoutTicking();
    private final List<Object> passedOn = new ArrayList<>();
    private EmbeddedChannel channel;

    @AfterEach
    void finish() {
        broadcaster.close();
        passedOn.forEach(ReferenceCountUtil::release);
        if (channel != null) {
            channel.runPendingTasks();
            read();
            assertThat(channel.finishAndReleaseAll()).as("nothing left unread").isFalse();
        }
    }

    private EmbeddedChannel channel(SseHandler handler) {
        channel = new EmbeddedChannel(new HttpServerCodec(), handler, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                passedOn.add(msg);
            }
        });
        return channel;
    }

    private void request(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    /** Everything written since the last read, as text; releases what it reads. */
    private String read() {
        StringBuilder out = new StringBuilder();
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            try {
                out.append(((ByteBuf) msg).toString(StandardCharsets.UTF_8));
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
        return out.toString();
    }

    @Test
    void answersAMatchedRequestWithTheStreamHeadAndARetryLine() {
        channel(SseHandler.builder(broadcaster).retry(Duration.ofMillis(2500)).build());
        request("GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n");

        assertThat(read()).isEqualTo(HEAD + "\r\n" + "d\r\nretry: 2500\n\n\r\n");
    }

    @Test
    void removesTheHttpCodecAndJoinsTheBroadcaster() {
        channel(SseHandler.builder(broadcaster).build());
        request("GET /events?topic=news HTTP/1.1\r\nAccept: text/event-stream\r\n\r\n");
        read();
        assertThat(channel.pipeline().get(HttpServerCodec.class)).isNull();
        assertThat(channel.pipeline().get(SseHandler.class)).isNull();
        assertThat(channel.pipeline().get(StreamSink.class)).isNotNull();

        broadcaster.tickNow();
        channel.runPendingTasks();
        assertThat(read()).as("the priming id: the one before the first").isEqualTo("7\r\nid: 0\n\n\r\n");
        broadcaster.publish("news", SseEvent.ofData("hello"));
        broadcaster.publish("sport", SseEvent.ofData("not subscribed"));
        broadcaster.tickNow();
        channel.runPendingTasks();

        assertThat(read()).isEqualTo("13\r\nid: 1\ndata: hello\n\n\r\n");
        assertThat(broadcaster.openStreams()).isEqualTo(1);
        assertThat(passedOn).as("the request's empty body went to the sink").isEmpty();
    }

    @Test
    void discardsWhatTheClientSendsOnAStream() {
        channel(SseHandler.builder(broadcaster).build());
        request("GET /events HTTP/1.1\r\nAccept: text/event-stream\r\n\r\n");
        request("garbage after the request");
        assertThat(passedOn).isEmpty();
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void passesUnmatchedRequestsOnUntouched() {
        channel(SseHandler.builder(broadcaster).build());
        request("GET /index.html HTTP/1.1\r\nAccept: text/html\r\n\r\n");

        assertThat(passedOn).hasSize(2);
        assertThat(passedOn.get(0)).isInstanceOf(HttpRequest.class);
        assertThat(((HttpRequest) passedOn.get(0)).uri()).isEqualTo("/index.html");
        assertThat(channel.pipeline().get(HttpServerCodec.class)).isNotNull();
        assertThat(read()).isEmpty();
    }

    @Test
    void answersA400WithTheMessageOfASubscriberThatRefusesTheRequest() {
        channel(SseHandler.builder(broadcaster).subscriber(request -> {
            throw new IllegalArgumentException("topic must match [a-z]+, was \"A!\"");
        }).build());
        request("GET /events?topic=A! HTTP/1.1\r\nAccept: text/event-stream\r\n\r\n");

        assertThat(read()).startsWith("HTTP/1.1 400 Bad Request\r\n")
                .contains("connection: close\r\n")
                .endsWith("\r\n\r\ntopic must match [a-z]+, was \"A!\"\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(passedOn).as("the request's body was discarded, not passed on").isEmpty();
    }

    @Test
    void answersTheStatusOfARefusal() {
        channel(SseHandler.builder(broadcaster)
                .subscriber(request -> SseSubscription.refuse(HttpResponseStatus.FORBIDDEN, "no"))
                .corsOrigin("https://app.example")
                .build());
        request("GET /events HTTP/1.1\r\nAccept: text/event-stream\r\n\r\n");

        assertThat(read()).startsWith("HTTP/1.1 403 Forbidden\r\n")
                .contains("access-control-allow-origin: https://app.example\r\n");
        assertThat(broadcaster.openStreams()).isZero();
    }

    @Test
    void endsAStreamThatShouldComeBackLaterWithItsRetry() {
        channel(SseHandler.builder(broadcaster)
                .subscriber(request -> SseSubscription.retryLater(Duration.ofMillis(4321)))
                .build());
        request("GET /events HTTP/1.1\r\nAccept: text/event-stream\r\n\r\n");

        assertThat(read()).isEqualTo(HEAD + "connection: close\r\n\r\n" + "d\r\nretry: 4321\n\n\r\n" + "0\r\n\r\n");
        assertThat(channel.isOpen()).isFalse();
        broadcaster.tickNow();
        assertThat(broadcaster.openStreams()).isZero();
    }

    @Test
    void sendsTheCorsOriginWithTheStream() {
        channel(SseHandler.builder(broadcaster).corsOrigin("*").build());
        request("GET /events HTTP/1.1\r\nAccept: text/event-stream\r\n\r\n");

        assertThat(read()).startsWith(HEAD + "access-control-allow-origin: *\r\n\r\n");
    }

    @Test
    void echoesAListedOriginWithCredentials() {
        channel(SseHandler.builder(broadcaster).corsOrigins(Set.of("https://app.example")).build());
        request("GET /events HTTP/1.1\r\nOrigin: https://app.example\r\nAccept: text/event-stream\r\n\r\n");

        assertThat(read()).startsWith(HEAD + "access-control-allow-origin: https://app.example\r\n"
                + "access-control-allow-credentials: true\r\nvary: origin\r\n\r\n");
    }

    @Test
    void echoesNoOriginThatIsNotListedButStillVariesByIt() {
        channel(SseHandler.builder(broadcaster).corsOrigins(Set.of("https://app.example")).build());
        request("GET /events HTTP/1.1\r\nOrigin: https://evil.example\r\nAccept: text/event-stream\r\n\r\n");

        assertThat(read()).startsWith(HEAD + "vary: origin\r\n\r\n").doesNotContain("access-control");
    }

    @Test
    void answersARefusalWithItsHeadersAndTheEchoedOrigin() {
        channel(SseHandler.builder(broadcaster)
                .subscriber(request -> SseSubscription.refuse(HttpResponseStatus.UNAUTHORIZED, "who?")
                        .withHeader("WWW-Authenticate", "Bearer error=\"invalid_token\""))
                .corsOrigins(Set.of("https://app.example"))
                .build());
        request("GET /events HTTP/1.1\r\nOrigin: https://app.example\r\nAccept: text/event-stream\r\n\r\n");

        assertThat(read()).startsWith("HTTP/1.1 401 Unauthorized\r\n")
                .contains("WWW-Authenticate: Bearer error=\"invalid_token\"\r\n",
                        "access-control-allow-origin: https://app.example\r\n",
                        "access-control-allow-credentials: true\r\n")
                .endsWith("who?\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(broadcaster.openStreams()).isZero();
    }

    @Test
    void refusesHttp10BecauseStreamsAreChunked() {
        channel(SseHandler.builder(broadcaster).matching(request -> true).build());
        request("GET /events HTTP/1.0\r\nAccept: text/event-stream\r\n\r\n");

        assertThat(read()).startsWith("HTTP/1.1 505 HTTP Version Not Supported\r\n");
    }

    @Test
    void takesTheLastEventIdHeaderOverTheQueryParameter() {
        HttpRequest both = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "/events?topic=b&topic=a&topic=b&lastEventId=7");
        both.headers().set("Last-Event-ID", "9");
        HttpRequest queryOnly = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/events?lastEventId=7");

        SseSubscription fromHeader = SseHandler.defaultSubscription(both);
        SseSubscription fromQuery = SseHandler.defaultSubscription(queryOnly);

        assertThat(fromHeader.topics()).containsExactly("a", "b");
        assertThat(fromHeader.lastEventId()).isEqualTo("9");
        assertThat(fromQuery.topics()).containsExactly("default");
        assertThat(fromQuery.lastEventId()).isEqualTo("7");
    }

    @Test
    void answers500AndClosesWhenTheSubscriberFunctionFails() {
        channel(SseHandler.builder(broadcaster).subscriber(request -> {
            throw new IllegalStateException("a bug in the application");
        }).build());
        request("GET /events HTTP/1.1\r\nAccept: text/event-stream\r\n\r\n");

        assertThat(read()).startsWith("HTTP/1.1 500 Internal Server Error\r\n");
        assertThat(channel.isOpen()).isFalse();
        broadcaster.tickNow();
        assertThat(broadcaster.openStreams()).isZero();
    }

    @Test
    void endsAStreamThatArrivesAfterTheBroadcasterClosedInsteadOfLeavingItOpen() {
        broadcaster.close();
        channel(SseHandler.builder(broadcaster).retry(Duration.ofMillis(1500)).build());
        request("GET /events HTTP/1.1\r\nAccept: text/event-stream\r\n\r\n");

        assertThat(read()).isEqualTo(HEAD + "connection: close\r\n\r\n" + "d\r\nretry: 1500\n\n\r\n" + "0\r\n\r\n");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void treatsAnEmptyLastEventIdAsNoIdRatherThanAResumeToReset() {
        broadcaster.publish("default", SseEvent.ofData("before"));
        broadcaster.tickNow();
        channel(SseHandler.builder(broadcaster).build());
        request("GET /events HTTP/1.1\r\nAccept: text/event-stream\r\nLast-Event-ID: \r\n\r\n");
        read();
        broadcaster.tickNow();
        channel.runPendingTasks();

        assertThat(read()).as("only the priming id: no reset").isEqualTo("7\r\nid: 1\n\n\r\n");
        assertThat(broadcaster.resets()).isZero();
    }

    @Test
    void readsAnEmptyLastEventIdHeaderAsNoneAndFallsBackToTheQuery() {
        HttpRequest emptyHeader = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/events?lastEventId=7");
        emptyHeader.headers().set("Last-Event-ID", "");
        HttpRequest bothEmpty = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/events?lastEventId=");
        bothEmpty.headers().set("Last-Event-ID", "");

        assertThat(SseHandler.defaultSubscription(emptyHeader).lastEventId()).isEqualTo("7");
        assertThat(SseHandler.defaultSubscription(bothEmpty).lastEventId()).isNull();
    }
}
