package dev.ssecast.server.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A remote JWK set, fetched through Nimbus' {@link JWKSourceBuilder} (cache, rate limit, one retry) by one
 * background thread, "ssecast-jwks", and never by an event loop: verification reads the last set fetched; a
 * {@code kid} it lacks queues a refresh (so a rotated key is found by the client's next attempt) and that token
 * is refused meanwhile. The thread runs from {@link #start} to {@link #close}, refreshing every
 * {@code refreshEvery}. Thread-safe.
 */
final class JwksUrl implements JWKSource<SecurityContext>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JwksUrl.class);
    private static final JWKSelector ALL = new JWKSelector(new JWKMatcher.Builder().build());

    private final URL url;
    private final JWKSource<SecurityContext> remote;
    private final Duration refreshEvery;
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private volatile JWKSet keys = new JWKSet();
    private volatile boolean failing;
    private ScheduledExecutorService refresher;

    /**
     * @param cacheFor how long a fetched set is used before it is fetched again
     * @param rateLimit the shortest time between two fetches, however many unknown kids arrive
     * @param refreshEvery how often the background thread looks (a fetch happens when the cache expired)
     */
    JwksUrl(URL url, Duration cacheFor, Duration rateLimit, Duration refreshEvery) {
        this.url = url;
        this.refreshEvery = refreshEvery;
        this.remote = JWKSourceBuilder.<SecurityContext>create(url)
                .cache(cacheFor.toMillis(), JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT)
                .rateLimited(rateLimit.toMillis())
                .retrying(true)
                .build();
    }

    /** Starts the background fetches, the first at once. */
    synchronized void start() {
        if (refresher == null) {
            refresher = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("ssecast-jwks", true));
            refresher.scheduleWithFixedDelay(() -> refresh(ALL), 0, refreshEvery.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void close() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
        List<JWK> found = selector.select(keys);
        if (found.isEmpty() && refreshQueued.compareAndSet(false, true)) {
            ScheduledExecutorService executor;
            synchronized (this) {
                executor = refresher;
            }
            if (executor != null && !executor.isShutdown()) {
                executor.execute(() -> {
                    refreshQueued.set(false);
                    refresh(selector); // a miss makes Nimbus' cache fetch again, within the rate limit
                });
            } else {
                refreshQueued.set(false);
            }
        }
        return found;
    }

    /** Runs on the background thread only; catches everything, so the next cycle runs. */
    private void refresh(JWKSelector selector) {
        try {
            remote.get(selector, null);
            keys = new JWKSet(remote.get(ALL, null)).toPublicJWKSet();
            if (failing) {
                LOG.info("fetched the JWK set {} again: {} keys", url, keys.getKeys().size());
            }
            failing = false;
        } catch (KeySourceException | RuntimeException e) {
            if (!failing) {
                LOG.warn("cannot fetch the JWK set {} ({}); keeping the {} keys fetched before", url, e.getMessage(),
                        keys.getKeys().size());
            }
            failing = true;
        }
    }
}
