package dev.ssecast.bench.load;

import com.google.gson.Gson;
import com.google.gson.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Subscribers in a worker process of this same program ({@code ssecast-bench worker}), for runs that need more
 * connections than one process may hold descriptors for. The coordinator writes one JSON command per line to the
 * worker's input and reads one JSON answer per line from its output (see {@link WorkerCommand}); the worker's
 * errors go to this process's error stream. Not thread-safe.
 */
final class RemoteNode implements LoadNode {
    private static final Gson GSON = new Gson();

    private final Process process;
    private final BufferedReader answers;
    private final Writer commands;

    RemoteNode(Subscription subscription, List<InetAddress> sources, int threads) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xms256m");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SsecastBench.class.getName());
        command.add("worker");
        command.add("--url=" + subscription.url());
        command.add("--protocol=" + subscription.protocol().option());
        command.add("--streams-per-connection=" + subscription.streamsPerConnection());
        command.add("--threads=" + threads);
        StringBuilder list = new StringBuilder();
        for (InetAddress source : sources) {
            list.append(list.length() == 0 ? "" : ",").append(source.getHostAddress());
        }
        command.add("--sources=" + list);
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a worker process", e);
        }
        answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    private JsonObject call(JsonObject command) {
        try {
            commands.write(GSON.toJson(command));
            commands.write('\n');
            commands.flush();
            String line = answers.readLine();
            if (line == null) {
                throw new IllegalStateException("worker process ended (exit " + process.waitFor() + ")");
            }
            return GSON.fromJson(line, JsonObject.class);
        } catch (IOException e) {
            throw new UncheckedIOException("worker process failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonObject command(String name) {
        JsonObject command = new JsonObject();
        command.addProperty("cmd", name);
        return command;
    }

    @Override
    public void open(int total, double perSecond, long timeoutMillis) {
        JsonObject command = command("open");
        command.addProperty("total", total);
        command.addProperty("perSecond", perSecond);
        command.addProperty("timeoutMillis", timeoutMillis);
        call(command);
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public Snapshot snapshot() {
        return GSON.fromJson(call(command("snapshot")), Snapshot.class);
    }

    @Override
    public void mark(long firstSeq) {
        JsonObject command = command("mark");
        command.addProperty("firstSeq", firstSeq);
        call(command);
    }

    @Override
    public Accounting finish(long finalSeq, Refusals refused) {
        JsonObject command = command("finish");
        command.addProperty("finalSeq", finalSeq);
        command.add("refused", GSON.toJsonTree(refused.toArray()));
        return GSON.fromJson(call(command), Accounting.class);
    }

    @Override
    public void close() {
        try {
            call(command("quit"));
        } catch (RuntimeException alreadyGone) {
            // the worker ends either way
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
        }
    }
}
