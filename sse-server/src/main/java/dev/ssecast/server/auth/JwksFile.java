package dev.ssecast.server.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.text.ParseException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A JWK set file, re-read when its modification time changes: looked at at most once a second, and once more
 * when a token names a key the set lacks (a rotation just written). The set is swapped atomically; a version of
 * the file that does not parse keeps the previous set and logs one warning. Thread-safe: any event loop verifies.
 */
final class JwksFile implements JWKSource<SecurityContext> {
    private static final Logger LOG = LoggerFactory.getLogger(JwksFile.class);
    private static final long CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Path path;
    private final AtomicLong nextCheck;
    private volatile Loaded loaded;
    /** The modification time of a version that did not parse, so that it is warned about once. */
    private FileTime rejected;

    private static final class Loaded {
        final JWKSet set;
        final FileTime modified;

        Loaded(JWKSet set, FileTime modified) {
            this.set = set;
            this.modified = modified;
        }
    }

    /** @throws IllegalArgumentException if the file cannot be read or parsed now */
    JwksFile(Path path) {
        this.path = path;
        try {
            FileTime modified = Files.getLastModifiedTime(path);
            this.loaded = new Loaded(parse(), modified);
        } catch (IOException | ParseException e) {
            throw new IllegalArgumentException("cannot read a JWK set from " + path + ": " + e.getMessage());
        }
        this.nextCheck = new AtomicLong(System.nanoTime() + CHECK_NANOS);
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
        long now = System.nanoTime();
        long due = nextCheck.get();
        if (now - due >= 0 && nextCheck.compareAndSet(due, now + CHECK_NANOS)) {
            reloadIfChanged();
        }
        List<JWK> found = selector.select(loaded.set);
        if (found.isEmpty() && reloadIfChanged()) {
            found = selector.select(loaded.set);
        }
        return found;
    }

    /** Re-reads the file if its modification time changed; true if a new set was swapped in. */
    private synchronized boolean reloadIfChanged() {
        FileTime modified;
        try {
            modified = Files.getLastModifiedTime(path);
        } catch (IOException e) {
            modified = null;
        }
        if (modified == null || modified.equals(loaded.modified) || modified.equals(rejected)) {
            return false;
        }
        try {
            loaded = new Loaded(parse(), modified);
            LOG.info("re-read the JWK set {}: {} keys", path, loaded.set.getKeys().size());
            return true;
        } catch (IOException | ParseException e) {
            rejected = modified;
            LOG.warn("the JWK set {} changed but cannot be read ({}); keeping the previous keys", path,
                    e.getMessage());
            return false;
        }
    }

    private JWKSet parse() throws IOException, ParseException {
        return JWKSet.load(path.toFile()).toPublicJWKSet();
    }
}
