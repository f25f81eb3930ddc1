package dev.ssecast.server.http;

import dev.ssecast.core.SseBroadcaster;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.IntSupplier;

/**
 * The server's Prometheus metrics, in a registry of its own: the broadcaster's counters read at scrape time
 * (nothing is counted twice on the hot path), the tick duration histogram fed by the tick thread, the HTTP tier's
 * connections, and the JVM's memory, GC, threads and more. {@link #scrape} writes the text format 0.0.4.
 */
public final class ServerMetrics {
    /** The {@code Content-Type} of {@link #scrape}: {@code text/plain; version=0.0.4; charset=utf-8}. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.builder().build();
    private final Histogram tickDuration;
    private final Counter turnedAway;
    private final Counter refused;
    private final Counter h2Closed;

    public ServerMetrics() {
        tickDuration = Histogram.builder()
                .name("ssecast_tick_duration_seconds")
                .help("Time one broadcaster tick took: draining publishes, encoding, handing frames to event loops")
                .classicOnly()
                .classicUpperBounds(0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                        0.1, 0.25, 1)
                .register(registry);
        turnedAway = Counter.builder()
                .name("ssecast_streams_turned_away_total")
                .help("Subscribers answered with retry and closed at once, by reason (capacity, streams, draining)")
                .labelNames("reason")
                .register(registry);
        turnedAway.labelValues("capacity");
        turnedAway.labelValues("streams");
        turnedAway.labelValues("draining");
        h2Closed = Counter.builder()
                .name("ssecast_http2_connections_closed_total")
                .help("HTTP/2 connections the server ended with GOAWAY, by reason (drain; idle: no stream open; "
                        + "control-flood: PING or SETTINGS past the rate; queued: past the bytes it may have waiting; "
                        + "flood: rapid resets, provoked resets, CONTINUATION or control-frame floods; protocol-error)")
                .labelNames("reason")
                .register(registry);
        for (String reason : new String[] {"drain", "idle", "control-flood", "queued", "flood", "protocol-error"}) {
            h2Closed.labelValues(reason);
        }
        refused = Counter.builder()
                .name("ssecast_requests_refused_total")
                .help("Requests refused for who sent them or how, by reason (a fixed set, see docs/server.md)")
                .labelNames("reason")
                .register(registry);
        for (Refusal reason : Refusal.values()) {
            refused.labelValues(reason.label());
        }
        JvmMetrics.builder().register(registry);
    }

    /** Records one tick's duration; called on the tick thread, allocation-free. */
    public void observeTick(long nanos) {
        tickDuration.observe(Unit.nanosToSeconds(nanos));
    }

    /** Exposes {@code broadcaster}'s counters; call once, with the broadcaster this server runs. */
    public void watch(SseBroadcaster broadcaster) {
        GaugeWithCallback.builder().name("ssecast_open_streams").help("Event streams open now")
                .callback(cb -> cb.call(broadcaster.openStreams())).register(registry);
        GaugeWithCallback.builder().name("ssecast_replay_events").help("Events held for resuming now")
                .callback(cb -> cb.call(broadcaster.replayEvents())).register(registry);
        counter("ssecast_events_published", "Events fanned out to their topics' streams",
                broadcaster::eventsPublished);
        counter("ssecast_deliveries", "Events written to streams (events times streams)", broadcaster::deliveries);
        counter("ssecast_slow_consumers_closed", "Streams closed for falling too far behind",
                broadcaster::slowConsumersClosed);
        counter("ssecast_publish_rejected", "Publishes refused because the publish queue was full",
                broadcaster::publishRejected);
        counter("ssecast_resets", "Resumes answered with a reset event (id too old or unknown)",
                broadcaster::resets);
        counter("ssecast_tick_failures", "Failures the tick contained (an allocation that failed, an observer that "
                + "threw, a loop that took no task); /readyz answers 503 after three failed ticks in a row",
                broadcaster::tickFailures);
        counter("ssecast_streams_expired", "Streams ended, with a retry, because their token's time was up",
                broadcaster::streamsExpired);
        counter("ssecast_ticks_deferred", "Tick periods put off, with events waiting, because an event loop was still "
                + "writing an earlier tick (the next tick carries them in one write per stream): the loops are behind",
                broadcaster::ticksDeferred);
        counter("ssecast_events_dropped", "Accepted events that could not be encoded or kept, so reached no stream",
                broadcaster::eventsDropped);
        GaugeWithCallback.builder().name("ssecast_tick_healthy")
                .help("1 while the tick works, 0 from its third failed tick in a row until a second without one")
                .callback(cb -> cb.call(broadcaster.isHealthy() ? 1 : 0)).register(registry);
    }

    void watchConnections(IntSupplier open, int max) {
        GaugeWithCallback.builder().name("ssecast_open_connections").help("Client connections open now")
                .callback(cb -> cb.call(open.getAsInt())).register(registry);
        GaugeWithCallback.builder().name("ssecast_max_connections")
                .help("Connections served before subscribers are told to retry later")
                .callback(cb -> cb.call(max)).register(registry);
    }

    /** Exposes the streams open over both protocols, the limit on them, and the HTTP/2 connections open now. */
    void watchStreams(IntSupplier open, int max, IntSupplier h2Connections) {
        GaugeWithCallback.builder().name("ssecast_http_streams").help("Event streams open now over HTTP/1.1 and HTTP/2")
                .callback(cb -> cb.call(open.getAsInt())).register(registry);
        GaugeWithCallback.builder().name("ssecast_max_streams")
                .help("Streams served before subscribers are told to retry later (--max-streams)")
                .callback(cb -> cb.call(max)).register(registry);
        GaugeWithCallback.builder().name("ssecast_http2_connections").help("HTTP/2 connections open now")
                .callback(cb -> cb.call(h2Connections.getAsInt())).register(registry);
    }

    /** Counts an HTTP/2 connection ended by the server, for {@code reason}. */
    void h2Closed(String reason) {
        h2Closed.labelValues(reason).inc();
    }

    /**
     * Exposes the distributed mode's stream reader: whether it reads the shared stream now, how long the newest
     * event it fed had waited in Redis, how often it lost Redis, and how many entries were skipped for breaking
     * the rules of a publish.
     */
    public void watchReader(java.util.function.BooleanSupplier reading, java.util.function.LongSupplier lagMillis,
                            java.util.function.LongSupplier outages, java.util.function.LongSupplier skipped) {
        GaugeWithCallback.builder().name("ssecast_redis_reader_up")
                .help("1 while this node reads the shared Redis Stream, 0 while it cannot")
                .callback(cb -> cb.call(reading.getAsBoolean() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("ssecast_redis_reader_lag_seconds")
                .help("How long the newest event read from Redis had waited there before this node fanned it out")
                .callback(cb -> cb.call(lagMillis.getAsLong() / 1000.0)).register(registry);
        counter("ssecast_redis_reader_outages", "Times this node lost the shared Redis Stream, or its reader failed",
                outages);
        counter("ssecast_redis_entries_skipped", "Entries of the shared Redis Stream skipped because they break the "
                + "rules of a publish (by the reader, and again by each resume that loads them)", skipped);
    }

    /**
     * Exposes TLS: when the certificate new connections get expires, and how many changed pairs were refused, so
     * that a renewal that does not load is seen before the old certificate runs out.
     */
    public void watchTls(java.util.function.LongSupplier notAfterMillis, java.util.function.LongSupplier refused) {
        GaugeWithCallback.builder().name("ssecast_tls_certificate_expiry_seconds")
                .help("When the certificate served to new connections expires, in seconds since the epoch")
                .callback(cb -> cb.call(notAfterMillis.getAsLong() / 1000.0)).register(registry);
        counter("ssecast_tls_reloads_refused", "Changed --tls-cert/--tls-key pairs that did not load (the old pair "
                + "stays in use; each is logged once)", refused);
    }

    /** Counts one refused request. */
    public void refused(Refusal reason) {
        refused.labelValues(reason.label()).inc();
    }

    void streamTurnedAway(String reason) {
        turnedAway.labelValues(reason).inc();
    }

    private void counter(String name, String help, java.util.function.LongSupplier value) {
        CounterWithCallback.builder().name(name).help(help)
                .callback(cb -> cb.call(value.getAsLong())).register(registry);
    }

    /** The registry, for a caller that wants to add its own metrics. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** Writes every metric in the text format 0.0.4 to a new buffer, which the caller owns. */
    public ByteBuf scrape(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(16 * 1024);
        try (ByteBufOutputStream stream = new ByteBufOutputStream(out)) {
            writer.write(stream, registry.scrape(), EscapingScheme.DEFAULT);
            return out;
        } catch (IOException | RuntimeException e) {
            out.release();
            throw e instanceof IOException ? new UncheckedIOException((IOException) e) : (RuntimeException) e;
        }
    }
}
