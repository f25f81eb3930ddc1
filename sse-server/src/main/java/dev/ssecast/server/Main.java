package dev.ssecast.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ParameterException;
import sun.misc.Signal;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code java -jar ssecast-server.jar [options]}: parses the command line, starts the server and drains it on
 * SIGTERM (or Ctrl-C), exiting 0 when done; a second signal exits at once. Exit codes: 0 after a drain, help or
 * version; 1 when the server cannot start; 2 for a bad option (one line on stderr naming it).
 */
public final class Main {
    static final int EXIT_OK = 0;
    static final int EXIT_START_FAILED = 1;
    static final int EXIT_USAGE = 2;

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        ServerOptions options = parse(args, System.getenv(), System.out, System.err);
        if (options == null) {
            return; // help or version was printed
        }
        SseServer server;
        try {
            server = SseServer.start(options);
        } catch (SseServer.StartupException e) {
            LOG.error(e.getMessage());
            System.exit(EXIT_START_FAILED);
            return;
        }
        onSignals(server);
        server.terminated().join();
        System.exit(EXIT_OK);
    }

    /**
     * Parses {@code args}: returns the options to start with, or null after printing help or the version; on a
     * bad option prints one line to {@code err} and exits with {@link #EXIT_USAGE}.
     */
    static ServerOptions parse(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        int code = check(args, env, out, err);
        if (code == EXIT_OK) {
            return null;
        }
        if (code == EXIT_USAGE) {
            System.exit(EXIT_USAGE);
        }
        return ServerOptions.parse(env, args);
    }

    /**
     * What the command line asks before anything starts: {@link #EXIT_OK} after printing help or the version,
     * {@link #EXIT_USAGE} after printing the one-line error of a bad option, or -1 to go on and start.
     */
    static int check(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        ServerOptions options;
        try {
            options = ServerOptions.parse(env, args);
        } catch (ParameterException e) {
            err.println("ssecast-server: " + e.getMessage() + " (see --help)");
            return EXIT_USAGE;
        }
        if (options.helpRequested()) {
            out.print(ServerOptions.usage(env));
            return EXIT_OK;
        }
        if (options.versionRequested()) {
            out.println("ssecast-server " + version());
            return EXIT_OK;
        }
        return -1;
    }

    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "(development build)" : version;
    }

    /**
     * SIGTERM and SIGINT drain the server; a second one exits at once. A JVM shutdown hook cannot do this: it
     * runs only once the JVM is already exiting, with status 143.
     */
    private static void onSignals(SseServer server) {
        AtomicBoolean signalled = new AtomicBoolean();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    if (signalled.compareAndSet(false, true)) {
                        LOG.info("SIG{} received: draining (send it again to exit at once)", signal.getName());
                        server.drain();
                    } else {
                        LOG.warn("SIG{} received again: exiting now", signal.getName());
                        Runtime.getRuntime().halt(EXIT_OK);
                    }
                });
            } catch (IllegalArgumentException unsupported) {
                LOG.warn("cannot handle SIG{} on this platform; it will stop the server without a drain", name);
            }
        }
    }
}
