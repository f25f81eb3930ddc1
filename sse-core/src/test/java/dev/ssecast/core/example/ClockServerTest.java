package dev.ssecast.core.example;

import dev.ssecast.core.SseBroadcaster;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The server shown in docs/library.md is this file, verbatim, and it works. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClockServerTest {
    private static final Path SOURCE = Path.of("src/test/java/dev/ssecast/core/example/ClockServer.java");
    private static final Path DOC = Path.of("../docs/library.md");

    @Test
    void theLibraryGuideShowsThisExampleVerbatim() throws Exception {
        String source = Files.readString(SOURCE);
        String code = source.substring(source.indexOf("import "));
        assertThat(Files.readString(DOC)).contains("```java\n" + code + "```\n");
    }

    @Test
    void streamsTheTimeAndAnswersOtherPathsWith404() throws Exception {
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        try (SseBroadcaster broadcaster = SseBroadcaster.builder().build()) {
            Channel server = ClockServer.start(loops, broadcaster, 0);
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<Stream<String>> stream = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events")).build(),
                    HttpResponse.BodyHandlers.ofLines());
            Optional<String> data;
            try (Stream<String> lines = stream.body()) {
                data = lines.filter(line -> line.startsWith("data: ")).findFirst();
            }
            HttpResponse<String> other = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/elsewhere")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
            assertThat(Instant.parse(data.orElseThrow().substring("data: ".length()))).isBefore(Instant.now());
            assertThat(other.statusCode()).isEqualTo(404);
            server.close().sync();
        } finally {
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }
}
