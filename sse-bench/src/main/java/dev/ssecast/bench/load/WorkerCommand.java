package dev.ssecast.bench.load;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * {@code ssecast-bench worker}: a {@link LocalNode} driven over standard input and output by a coordinating
 * {@code load} or {@code capacity} run in another process. One JSON command per input line ({@code open},
 * {@code snapshot}, {@code mark}, {@code finish}, {@code quit}), one JSON answer per output line. Not for people.
 */
@Command(name = "worker", hidden = true, description = "Subscribers for a coordinating run (internal).")
final class WorkerCommand implements Callable<Integer> {
    private static final Gson GSON = new Gson();

    @Option(names = "--url", required = true)
    URI url;

    @Option(names = "--sources", required = true)
    String sources;

    @Option(names = "--threads", defaultValue = "1")
    int threads;

    @Option(names = "--protocol", defaultValue = "http1")
    String protocol;

    @Option(names = "--streams-per-connection", defaultValue = "1")
    int streamsPerConnection;

    @Override
    public Integer call() throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err); // nothing but answers on the coordinator's pipe
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (LocalNode node = new LocalNode(new Subscription(url,
                Subscription.Protocol.parse(protocol), streamsPerConnection), Sources.parse(sources), threads)) {
            String line;
            while ((line = in.readLine()) != null) {
                JsonObject command = GSON.fromJson(line, JsonObject.class);
                String name = command.get("cmd").getAsString();
                Object answer;
                switch (name) {
                    case "open":
                        node.open(command.get("total").getAsInt(), command.get("perSecond").getAsDouble(),
                                command.get("timeoutMillis").getAsLong());
                        answer = new JsonObject();
                        break;
                    case "snapshot":
                        answer = node.snapshot();
                        break;
                    case "mark":
                        node.mark(command.get("firstSeq").getAsLong());
                        answer = new JsonObject();
                        break;
                    case "finish":
                        answer = node.finish(command.get("finalSeq").getAsLong(),
                                Refusals.of(GSON.fromJson(command.get("refused"), long[].class)));
                        break;
                    case "quit":
                        out.println("{}");
                        return 0;
                    default:
                        throw new IllegalArgumentException("unknown worker command " + name);
                }
                out.println(GSON.toJson(answer));
            }
        }
        return 0;
    }
}
