package dev.ssecast.core.example;

import dev.ssecast.core.SseBroadcaster;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP/2 server shown in docs/library.md is this file, verbatim, and it serves streams of one connection. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class Http2ClockServerTest {
    private static final Path SOURCE = Path.of("src/test/java/dev/ssecast/core/example/Http2ClockServer.java");
    private static final Path DOC = Path.of("../docs/library.md");

    @Test
    void theLibraryGuideShowsThisExampleVerbatim() throws Exception {
        String source = Files.readString(SOURCE);
        String code = source.substring(source.indexOf("import "));
        assertThat(Files.readString(DOC)).contains("```java\n" + code + "```\n");
    }

    /** One stream's answer: its status, and its first {@code data:} line (or the end of a stream without one). */
    private static final class Answer extends ChannelInboundHandlerAdapter {
        final CompletableFuture<String> status = new CompletableFuture<>();
        final CompletableFuture<String> data = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame) {
                    status.complete(((Http2HeadersFrame) msg).headers().status().toString());
                    if (((Http2HeadersFrame) msg).isEndStream()) {
                        data.complete(null);
                    }
                } else if (msg instanceof Http2DataFrame) {
                    ByteBuf content = ((Http2DataFrame) msg).content();
                    text.append(content.toString(StandardCharsets.UTF_8));
                    Matcher line = Pattern.compile("(?m)^data: (.*)$").matcher(text);
                    if (line.find()) {
                        data.complete(line.group(1));
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    private static Answer get(Channel connection, String path) throws InterruptedException {
        Answer answer = new Answer();
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection).handler(answer).open().sync().getNow();
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").path(path)
                .scheme("http").authority("127.0.0.1"), true));
        return answer;
    }

    @Test
    void threeStreamsOfOneConnectionEachGetTheTimeAndOtherPathsGet404() throws Exception {
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        try (SseBroadcaster broadcaster = SseBroadcaster.builder().build()) {
            Channel server = Http2ClockServer.start(loops, broadcaster, 0);
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            Channel connection = new Bootstrap().group(loops).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                    new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                        }
                    })
                    .connect("127.0.0.1", port).sync().channel();
            List<Answer> streams = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                streams.add(get(connection, "/events"));
            }
            Answer other = get(connection, "/elsewhere");

            for (Answer stream : streams) {
                assertThat(stream.status.get(10, TimeUnit.SECONDS)).isEqualTo("200");
                assertThat(Instant.parse(stream.data.get(10, TimeUnit.SECONDS))).isBefore(Instant.now());
            }
            assertThat(other.status.get(10, TimeUnit.SECONDS)).isEqualTo("404");
            assertThat(broadcaster.openStreams()).isEqualTo(3);
            connection.close().sync();
            server.close().sync();
        } finally {
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }
}
