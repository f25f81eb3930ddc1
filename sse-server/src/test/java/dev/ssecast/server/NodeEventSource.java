package dev.ssecast.server;

import com.google.gson.Gson;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * npm's {@code eventsource} package on Node.js as a {@link RecordingEventSource}: {@code src/test/node/client.js}
 * run by {@code node}, which prints one JSON line per event it dispatches. {@link #install()} copies the client to
 * {@code target/node-client} and runs {@code npm ci} there, unless the locked version is already installed (so a
 * second run needs no registry).
 */
final class NodeEventSource implements RecordingEventSource {
    private static final Path SOURCE = Path.of("src/test/node");
    private static final Path DIR = Path.of("target/node-client");
    private static final List<String> FILES = List.of("package.json", "package-lock.json", "client.js");

    private final Process process;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private NodeEventSource(Process process) {
        this.process = process;
        Gson gson = new Gson();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    seen.add(gson.fromJson(line, Seen.class));
                }
            } catch (IOException ended) {
                // the process went away
            }
        }, "node-event-source");
        reader.setDaemon(true);
        reader.start();
    }

    /** Installs the client's locked dependencies into {@code target/node-client} (npm ci), once. */
    static Path install() throws IOException, InterruptedException {
        Files.createDirectories(DIR);
        boolean lockChanged = false;
        for (String file : FILES) {
            Path target = DIR.resolve(file);
            lockChanged |= !file.equals("client.js") && (!Files.exists(target)
                    || Files.mismatch(SOURCE.resolve(file), target) >= 0);
            Files.copy(SOURCE.resolve(file), target, StandardCopyOption.REPLACE_EXISTING);
        }
        if (lockChanged || !Files.exists(DIR.resolve("node_modules/eventsource/package.json"))) {
            Path log = DIR.resolve("npm-ci.log");
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--prefer-offline")
                    .directory(DIR.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertThat(npm.waitFor(180, TimeUnit.SECONDS)).as("npm ci finished within 3 minutes").isTrue();
            assertThat(npm.exitValue()).as("npm ci in %s:%n%s", DIR, Files.readString(log)).isZero();
        }
        return DIR;
    }

    /** Starts the client on {@code url}; {@link #install()} first. */
    static NodeEventSource open(URI url) throws IOException, InterruptedException {
        Path dir = install();
        Process process = new ProcessBuilder("node", "client.js", url.toString())
                .directory(dir.toFile())
                .redirectError(dir.resolve("client-stderr.log").toFile())
                .start();
        return new NodeEventSource(process);
    }

    @Override
    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close(); // the client exits when its stdin ends
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
