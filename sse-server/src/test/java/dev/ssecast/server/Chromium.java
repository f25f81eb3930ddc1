package dev.ssecast.server;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ssecast.core.testing.ExternalBinary;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium (Debian's {@code chromium} package) driven over the DevTools protocol from Java: JSON messages
 * on a WebSocket, nothing to install beyond the browser. Enough of the protocol to open a page and evaluate
 * JavaScript in it.
 */
final class Chromium implements AutoCloseable {
    private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final long CALL_TIMEOUT_SECONDS = 30;

    private final Process process;
    private final WebSocket socket;
    private final Gson gson = new Gson();
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonObject>> calls = new ConcurrentHashMap<>();

    private Chromium(Process process, URI devtools) {
        this.process = process;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(devtools, new Listener()).join();
    }

    /**
     * The browser binary: {@code $CHROMIUM}, else {@code chromium} on the PATH; skips the test if it is missing (see
     * {@link ExternalBinary}).
     */
    static Path binary() {
        String configured = System.getenv("CHROMIUM");
        return ExternalBinary.require(configured == null || configured.isEmpty() ? "chromium" : configured, "chromium");
    }

    /**
     * Starts the browser with a fresh profile in {@code profile}, and {@code flags} added to its command line;
     * returns once its DevTools endpoint is up.
     */
    static Chromium start(Path profile, String... flags) throws IOException, InterruptedException {
        Path binary = binary();
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0"));
        command.addAll(List.of(flags));
        command.add("about:blank");
        Process process = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        CompletableFuture<URI> endpoint = new CompletableFuture<>();
        Thread stderr = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    Matcher m = DEVTOOLS.matcher(line);
                    if (m.find()) {
                        endpoint.complete(URI.create(m.group(1)));
                    }
                }
                endpoint.completeExceptionally(new IOException("chromium exited without a DevTools endpoint"));
            } catch (IOException e) {
                endpoint.completeExceptionally(e);
            }
        }, "chromium-stderr");
        stderr.setDaemon(true);
        stderr.start();
        try {
            return new Chromium(process, endpoint.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IOException("could not start " + binary, e);
        }
    }

    /** Opens {@code url} in a new tab. */
    Page open(String url) {
        JsonObject target = call(null, "Target.createTarget", params("url", url));
        JsonObject attached = call(null, "Target.attachToTarget",
                params("targetId", target.get("targetId").getAsString(), "flatten", true));
        return new Page(attached.get("sessionId").getAsString());
    }

    /** A tab, addressed by its DevTools session. */
    final class Page {
        private final String session;

        private Page(String session) {
            this.session = session;
        }

        /** Evaluates {@code expression} in the page and returns its value as a string ("" for null). */
        String eval(String expression) {
            JsonObject result = call(session, "Runtime.evaluate",
                    params("expression", expression, "returnByValue", true, "awaitPromise", true));
            if (result.has("exceptionDetails")) {
                throw new IllegalStateException("page threw: " + result.get("exceptionDetails"));
            }
            JsonElement value = result.getAsJsonObject("result").get("value");
            return value == null || value.isJsonNull() ? "" : value.getAsString();
        }

        /** The text of the element with {@code id}. */
        String text(String id) {
            return eval("(document.getElementById('" + id + "') || {}).textContent || ''");
        }
    }

    private static JsonObject params(Object... pairs) {
        JsonObject params = new JsonObject();
        for (int i = 0; i < pairs.length; i += 2) {
            Object value = pairs[i + 1];
            if (value instanceof Boolean) {
                params.addProperty((String) pairs[i], (Boolean) value);
            } else {
                params.addProperty((String) pairs[i], value.toString());
            }
        }
        return params;
    }

    private JsonObject call(String session, String method, JsonObject params) {
        int id = ids.incrementAndGet();
        JsonObject message = new JsonObject();
        message.addProperty("id", id);
        message.addProperty("method", method);
        message.add("params", params);
        if (session != null) {
            message.addProperty("sessionId", session);
        }
        CompletableFuture<JsonObject> reply = new CompletableFuture<>();
        calls.put(id, reply);
        socket.sendText(gson.toJson(message), true).join();
        try {
            JsonObject response = reply.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (response.has("error")) {
                throw new IllegalStateException(method + " failed: " + response.get("error"));
            }
            return response.getAsJsonObject("result");
        } catch (Exception e) {
            throw new IllegalStateException(method + " got no answer", e);
        } finally {
            calls.remove(id);
        }
    }

    /** Collects each text message (which may come in parts) and completes the call it answers. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                JsonObject message = gson.fromJson(text.toString(), JsonObject.class);
                text.setLength(0);
                if (message.has("id")) {
                    CompletableFuture<JsonObject> reply = calls.get(message.get("id").getAsInt());
                    if (reply != null) {
                        reply.complete(message);
                    }
                }
            }
            webSocket.request(1);
            return null;
        }
    }

    @Override
    public void close() {
        socket.abort();
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
