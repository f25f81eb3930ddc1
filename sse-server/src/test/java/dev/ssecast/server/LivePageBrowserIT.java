package dev.ssecast.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The live page in a real browser, headless Chromium: it connects with EventSource, shows an event published over
 * HTTP and one published from its own form, shows the state change when the server goes away, and counts the
 * reconnect when it comes back. Skipped where Chromium is missing, except with {@code SSECAST_REQUIRE_EXTERNAL=1}
 * ({@code .ci/run} installs it and sets that).
 */
@Timeout(180)
class LivePageBrowserIT {
    private static final Duration WITHIN = Duration.ofSeconds(30);

    @Test
    void showsEventsAndTheConnectionStateAndReconnectsInARealBrowser() throws Exception {
        Chromium.binary(); // skips here where it is missing, before a server starts

        // A fresh profile under target/ (Chromium leaves a socket link there that JUnit's @TempDir warns about).
        Path profile = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "chromium-profile");
        TestServer server = TestServer.start("--retry", "300ms");
        int port = server.address().getPort();
        try (Chromium chromium = Chromium.start(profile)) {
            Chromium.Page page = chromium.open(server.base() + "?topic=browser");
            await().atMost(WITHIN).until(() -> page.text("state").equals("open"));
            assertThat(page.text("topics")).isEqualTo("browser");
            assertThat(page.text("publish-note")).contains("Publishing is open");

            server.publish("browser", "hello from curl");
            await().atMost(WITHIN).until(() -> page.text("log").contains("hello from curl"));
            assertThat(page.text("count")).isEqualTo("1");

            page.eval("document.getElementById('publish-event').value = 'note';"
                    + "document.getElementById('publish-data').value = 'hello from the page';"
                    + "document.getElementById('publish-form').requestSubmit(); 'submitted'");
            await().atMost(WITHIN).until(() -> page.text("log").contains("event: note  hello from the page"));
            await().atMost(WITHIN).until(() -> page.text("publish-status").startsWith("202 {\"id\":"));

            server.close();
            await().atMost(WITHIN).until(() -> page.text("state").equals("reconnecting"));

            server = TestServer.start("--port", Integer.toString(port), "--retry", "300ms");
            await().atMost(WITHIN).until(() -> page.text("state").equals("open"));
            assertThat(page.text("reconnects")).isEqualTo("1");
            assertThat(page.text("log")).contains("reconnected");
        } finally {
            server.close();
        }
    }
}
