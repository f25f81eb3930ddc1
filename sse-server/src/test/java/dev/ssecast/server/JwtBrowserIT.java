package dev.ssecast.server;

import com.sun.net.httpserver.HttpServer;
import dev.ssecast.server.auth.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Chromium's native {@code EventSource} with {@code withCredentials}, its token in an HttpOnly cookie, on a page
 * of another port of the same host: the listed origin streams, an unlisted one is refused (its cookie does not
 * count cross-origin). Skipped where Chromium is missing, except with {@code SSECAST_REQUIRE_EXTERNAL=1}.
 */
@Timeout(120)
class JwtBrowserIT {
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final String PUBLISH_TOKEN = "publish-token-0123456789";

    /** Serves a blank page that sets the token cookie, as an app's own server would after a login. */
    private static HttpServer appServer(String token) throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", exchange -> {
            byte[] page = "<!doctype html><title>app</title><p>app".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.getResponseHeaders().add("Set-Cookie", "ssecast_token=" + token
                    + "; HttpOnly; SameSite=Strict; Path=/");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        http.start();
        return http;
    }

    private static Chromium.Page openWithEventSource(Chromium chromium, HttpServer app, TestServer server) {
        String url = "http://127.0.0.1:" + app.getAddress().getPort() + "/";
        Chromium.Page page = chromium.open(url);
        // about:blank is "complete" too: wait for the app's page itself
        await().atMost(WITHIN).ignoreExceptions().until(() -> page.eval("location.href + ' ' + document.readyState")
                .equals(url + " complete"));
        page.eval("window.seen = []; window.source = new EventSource('" + server.base()
                + "events?topic=secret', {withCredentials: true});"
                + "window.source.onmessage = e => window.seen.push(e.data); 'started'");
        return page;
    }

    @Test
    void streamsToAListedOriginWithTheCookieAndRefusesAnUnlistedOne() throws Exception {
        Chromium.binary(); // skips here where it is missing, before anything starts
        String token = Tokens.hs256(Tokens.claims(Duration.ofMinutes(5), List.of("secret"), List.of()).build());
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "jwt-browser");
        Path key = Files.writeString(dir.resolve("jwt.key"), Tokens.SECRET);
        HttpServer listed = appServer(token);
        HttpServer unlisted = appServer(token);
        try (TestServer server = TestServer.start("--jwt-key-file", key.toString(), "--publish-token", PUBLISH_TOKEN,
                "--cors-origin", "http://127.0.0.1:" + listed.getAddress().getPort());
             Chromium chromium = Chromium.start(dir.resolve("profile"))) {
            Chromium.Page allowed = openWithEventSource(chromium, listed, server);
            await().atMost(WITHIN).until(() -> allowed.eval("String(window.source.readyState)").equals("1"));
            server.publish("secret", "for-the-listed-page", "Authorization", "Bearer " + PUBLISH_TOKEN);
            await().atMost(WITHIN).until(() -> allowed.eval("window.seen.join(',')").equals("for-the-listed-page"));

            Chromium.Page refused = openWithEventSource(chromium, unlisted, server);
            await().atMost(WITHIN).until(() -> refused.eval("String(window.source.readyState)").equals("2"));
            assertThat(refused.eval("window.seen.join(',')")).isEmpty();
            assertThat(server.get("/metrics").body()).containsPattern(
                    "ssecast_requests_refused_total\\{reason=\"unauthorized\"} [1-9]");
        } finally {
            listed.stop(0);
            unlisted.stop(0);
        }
    }
}
