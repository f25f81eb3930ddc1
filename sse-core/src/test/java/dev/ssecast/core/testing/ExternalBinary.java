package dev.ssecast.core.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one rule for a program a test starts (redis-server, nginx, chromium, haproxy, curl, node): it is found, or
 * the test is skipped with a one-line reason naming the Debian package to install, or, when
 * {@code SSECAST_REQUIRE_EXTERNAL=1} (as {@code .ci/run} sets), the test fails. So {@code mvn -B verify} passes on
 * a fresh machine, and CI cannot pass by skipping.
 */
public final class ExternalBinary {

    /** The environment variable that turns a missing program from a skip into a failure when it is {@code 1}. */
    public static final String REQUIRE_ENV = "SSECAST_REQUIRE_EXTERNAL";

    /** Searched after {@code PATH}: Debian puts daemons such as nginx in sbin, which a user's PATH often lacks. */
    static final List<Path> USUAL_DIRS = List.of(
            Path.of("/usr/local/sbin"), Path.of("/usr/local/bin"), Path.of("/usr/sbin"), Path.of("/usr/bin"),
            Path.of("/sbin"), Path.of("/bin"));

    private ExternalBinary() {
    }

    /**
     * Returns the executable for {@code command} (a name looked up in {@code PATH}, then {@link #USUAL_DIRS}, or a
     * path), else aborts the calling test with {@code "<command> not found (Debian package <package>); skipping"},
     * or fails it if {@code SSECAST_REQUIRE_EXTERNAL=1}.
     */
    public static Path require(String command, String debianPackage) {
        return require(command, debianPackage, System.getenv(), USUAL_DIRS);
    }

    /** {@link #require(String, String)} with the environment and the usual directories given, for its own tests. */
    static Path require(String command, String debianPackage, Map<String, String> env, List<Path> usualDirs) {
        Optional<Path> found = find(command, env.get("PATH"), usualDirs);
        if (found.isPresent()) {
            return found.get();
        }
        String missing = command + " not found (Debian package " + debianPackage + ")";
        if ("1".equals(env.get(REQUIRE_ENV))) {
            return Assertions.fail(missing + ", and " + REQUIRE_ENV + "=1 requires it");
        }
        // Surefire shows a skip's reason only in its reports; this puts it on the console too.
        System.err.println(missing + "; skipping");
        Assumptions.abort(missing + "; skipping");
        throw new AssertionError("unreachable: Assumptions.abort returned");
    }

    private static Optional<Path> find(String command, String pathVariable, List<Path> usualDirs) {
        if (command.indexOf('/') >= 0) {
            return Optional.of(Path.of(command)).filter(ExternalBinary::isExecutableFile);
        }
        List<Path> dirs = new ArrayList<>();
        if (pathVariable != null) {
            for (String dir : pathVariable.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    try {
                        dirs.add(Path.of(dir));
                    } catch (InvalidPathException unusable) {
                        // not a directory anything can be in
                    }
                }
            }
        }
        dirs.addAll(usualDirs);
        return dirs.stream().map(dir -> dir.resolve(command)).filter(ExternalBinary::isExecutableFile).findFirst();
    }

    private static boolean isExecutableFile(Path file) {
        return Files.isRegularFile(file) && Files.isExecutable(file);
    }
}
