package dev.ssecast.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shaded jar run as an operator runs it, {@code java -jar target/ssecast-server.jar ...}, in its own process
 * (optionally under a shell prefix such as {@code ulimit}); its stdout and stderr are collected line by line.
 */
final class ServerProcess implements AutoCloseable {
    /** What every test's server runs with, as the test JVMs do (the parent pom's argLine): every buffer tracked. */
    private static final String PARANOID = "-D" + LeakDetection.PROPERTY + "=paranoid";
    private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+) ");

    private final Process process;
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();
    private final Thread outReader;
    private final Thread errReader;

    private ServerProcess(Process process) {
        this.process = process;
        this.outReader = collect(process.getInputStream(), out, "server-stdout");
        this.errReader = collect(process.getErrorStream(), err, "server-stderr");
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("ssecast.server.jar", "target/ssecast-server.jar"));
        assertThat(jar).as("the shaded jar (failsafe runs after package)").exists();
        return jar;
    }

    /** Starts the jar with {@code args} and {@code env} added to this process's environment. */
    static ServerProcess start(Map<String, String> env, String... args) throws IOException {
        return startWithShellPrefix(null, env, args);
    }

    /** Starts the jar through {@code bash -c '<prefix>; exec java ...'}, e.g. to lower {@code ulimit -n}. */
    static ServerProcess startWithShellPrefix(String shellPrefix, Map<String, String> env, String... args)
            throws IOException {
        return start(shellPrefix, List.of(PARANOID), env, args);
    }

    /** Starts the jar with {@code jvmOptions} added before {@code -jar}, e.g. {@code -XX:MaxDirectMemorySize=96m}. */
    static ServerProcess startWithJvmOptions(List<String> jvmOptions, Map<String, String> env, String... args)
            throws IOException {
        List<String> options = new ArrayList<>(List.of(PARANOID));
        options.addAll(jvmOptions);
        return start(null, options, env, args);
    }

    /**
     * Starts the jar without the tests' {@code -Dio.netty.leakDetection.level}, exactly as an operator runs it, so
     * that {@code --leak-detection} decides; a leak in such a process is not reported.
     */
    static ServerProcess startWithoutLeakProperty(Map<String, String> env, String... args) throws IOException {
        return start(null, List.of(), env, args);
    }

    private static ServerProcess start(String shellPrefix, List<String> jvmOptions, Map<String, String> env,
                                       String... args) throws IOException {
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m"));
        java.addAll(jvmOptions);
        java.addAll(List.of("-jar", jar().toString()));
        java.addAll(List.of(args));
        List<String> command = java;
        if (shellPrefix != null) {
            StringBuilder line = new StringBuilder(shellPrefix).append("; exec");
            for (String word : java) {
                line.append(" '").append(word.replace("'", "'\\''")).append('\'');
            }
            command = List.of("bash", "-c", line.toString());
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        return new ServerProcess(builder.start());
    }

    private static Thread collect(InputStream stream, List<String> lines, String name) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException ended) {
                // the process went away
            }
        }, name);
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    /** The port from the "listening on" line, awaited. */
    int port() {
        Matcher m = LISTENING.matcher(awaitLine("listening on http://"));
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** The first stdout line containing {@code text}, awaited. */
    String awaitLine(String text) {
        await().atMost(Duration.ofSeconds(30)).until(() -> out.stream().anyMatch(l -> l.contains(text))
                || !process.isAlive() && out.stream().anyMatch(l -> l.contains(text)));
        return out.stream().filter(l -> l.contains(text)).findFirst().orElseThrow();
    }

    /**
     * Sends SIGTERM. Through the {@link ProcessHandle}: {@link Process#destroy()} sends the same signal but also
     * closes this side's pipes, which would lose what the server logs while it drains.
     */
    void terminate() {
        assertThat(process.toHandle().destroy()).as("SIGTERM sent").isTrue();
    }

    /** Waits for the exit and returns its status, once the output has been read to the end. */
    int awaitExit(Duration within) throws InterruptedException {
        assertThat(process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS))
                .as("the server exited within %s; output:%n%s", within, String.join("\n", out)).isTrue();
        outReader.join(within.toMillis());
        errReader.join(within.toMillis());
        return process.exitValue();
    }

    List<String> stdout() {
        return out;
    }

    List<String> stderr() {
        return err;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

}
