package dev.ssecast.server;

import dev.ssecast.server.net.TrustedProxies;
import dev.ssecast.server.auth.Authorizer;
import dev.ssecast.server.auth.TokenKeys;
import dev.ssecast.server.tls.ServerTls;
import io.netty.util.ResourceLeakDetector;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The whole command line of the server: every option, its default, and the environment variable
 * {@code SSECAST_<NAME>} that sets it when the option is not given (an empty variable counts as unset). Values are
 * checked once, in {@link #parse}, and a bad one is a {@link ParameterException} naming the option.
 */
@Command(name = "ssecast-server", sortOptions = false, usageHelpAutoWidth = true,
        description = "Broadcasts Server-Sent Events: GET /events subscribes, POST /events publishes.%n"
                + "Every option can also be set by the environment variable shown beside it.%n",
        footer = "%nDurations are <n>ms, <n>s or <n>m; sizes are <n> bytes, <n>KiB or <n>MiB.")
public final class ServerOptions {
    static final String ENV_PREFIX = "SSECAST_";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/=-]{16,1024}");
    private static final Pattern REDIS_URI =
            Pattern.compile("rediss?://([^@/\\s]+@)?[A-Za-z0-9.\\[\\]:_-]+(:\\d{1,5})?(/\\d{1,2})?");
    /** The one variable that is not an option: a secret never belongs on a command line. */
    static final String JWT_KEY_ENV = "SSECAST_JWT_KEY";
    private static final Pattern COOKIE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern STREAM_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    @Option(names = "--host", defaultValue = "0.0.0.0", paramLabel = "ADDRESS",
            description = "Address to listen on. Env: SSECAST_HOST. Default: ${DEFAULT-VALUE}.")
    private String host;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT",
            description = "Port to listen on; 0 picks a free one (the log says which). Env: SSECAST_PORT. "
                    + "Default: ${DEFAULT-VALUE}.")
    private int port;

    @Option(names = "--tick", defaultValue = "10ms", paramLabel = "DURATION", converter = OptionValues.Millis.class,
            description = "How often published events are fanned out, within [1ms, 1s]. Env: SSECAST_TICK. "
                    + "Default: ${DEFAULT-VALUE}.")
    private Duration tick;

    @Option(names = "--replay", defaultValue = "10000", paramLabel = "EVENTS",
            description = "Events kept for resuming with Last-Event-ID (newest, across all topics). "
                    + "Env: SSECAST_REPLAY. Default: ${DEFAULT-VALUE}.")
    private int replay;

    @Option(names = "--replay-bytes", defaultValue = "64MiB", paramLabel = "SIZE", converter = OptionValues.Bytes.class,
            description = "Most encoded bytes the replay window holds. Env: SSECAST_REPLAY_BYTES. "
                    + "Default: ${DEFAULT-VALUE}.")
    private long replayBytes;

    @Option(names = "--max-event-bytes", defaultValue = "65536", paramLabel = "SIZE",
            converter = OptionValues.Bytes.class,
            description = "Largest body POST /events accepts, in bytes. Env: SSECAST_MAX_EVENT_BYTES. "
                    + "Default: ${DEFAULT-VALUE}.")
    private long maxEventBytes;

    @Option(names = "--heartbeat", defaultValue = "15s", paramLabel = "DURATION", converter = OptionValues.Millis.class,
            description = "Longest silence on a stream before a comment keeps proxies from closing it. "
                    + "Env: SSECAST_HEARTBEAT. Default: ${DEFAULT-VALUE}.")
    private Duration heartbeat;

    @Option(names = "--retry", defaultValue = "3000ms", paramLabel = "DURATION", converter = OptionValues.Millis.class,
            description = "Reconnection delay sent to clients; streams turned away or drained get it plus a random "
                    + "jitter of up to as much again. Env: SSECAST_RETRY. Default: ${DEFAULT-VALUE}.")
    private Duration retry;

    @Option(names = "--drain", defaultValue = "10s", paramLabel = "DURATION", converter = OptionValues.Millis.class,
            description = "On SIGTERM, streams are closed spread over this long, then the process exits 0. "
                    + "Env: SSECAST_DRAIN. Default: ${DEFAULT-VALUE}.")
    private Duration drain;

    @Option(names = "--max-connections", paramLabel = "N",
            description = "Most open connections served; further subscribers are told to retry later. Capped below "
                    + "the open-file limit. Env: SSECAST_MAX_CONNECTIONS. Default: the open-file limit minus a "
                    + "reserve.")
    private Integer maxConnections;

    @Option(names = "--publish-queue", defaultValue = "65536", paramLabel = "EVENTS",
            description = "Published events waiting for the next tick; beyond it POST answers 503. "
                    + "Env: SSECAST_PUBLISH_QUEUE. Default: ${DEFAULT-VALUE}.")
    private int publishQueue;

    @Option(names = "--publish-token", paramLabel = "TOKEN",
            description = "Bearer token POST /events accepts, at least 16 characters. Unset and no JWT key: only "
                    + "loopback clients may publish. Prefer the env var, which ps does not show. "
                    + "Env: SSECAST_PUBLISH_TOKEN. Default: unset.")
    private String publishToken;

    @Option(names = "--cors-origin", defaultValue = "*", paramLabel = "ORIGINS",
            description = "Origins whose pages may read responses: * (any, without credentials), a comma-separated "
                    + "list (each echoed with Access-Control-Allow-Credentials), or empty for none. "
                    + "Env: SSECAST_CORS_ORIGIN. Default: ${DEFAULT-VALUE}.")
    private String corsOrigin;

    // --- Tokens: who may read and publish which topics (dev.ssecast.server.auth). The HMAC secret is only ever
    // read from SSECAST_JWT_KEY or --jwt-key-file: ps shows command lines.

    @Option(names = "--jwt-key-file", paramLabel = "FILE",
            description = "File holding the HMAC secret tokens are signed with (HS256 from 32 bytes, HS384 from 48, "
                    + "HS512 from 64; trailing line breaks ignored); or set SSECAST_JWT_KEY to the secret itself. "
                    + "Env: SSECAST_JWT_KEY_FILE. Default: unset.")
    private Path jwtKeyFile;

    @Option(names = "--jwt-public-key", paramLabel = "FILE",
            description = "PEM public key tokens are signed for: RSA of at least 2048 bits (RS256) or EC P-256 "
                    + "(ES256). Env: SSECAST_JWT_PUBLIC_KEY. Default: unset.")
    private Path jwtPublicKey;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "PEM certificate chain (leaf first) to serve TLS with on --port; needs --tls-key. Re-read "
                    + "when it changes: new connections get the new pair. Env: SSECAST_TLS_CERT. Default: unset "
                    + "(plain HTTP).")
    private Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "PEM PKCS#8 private key (\"BEGIN PRIVATE KEY\") of --tls-cert, RSA or EC. Env: "
                    + "SSECAST_TLS_KEY. Default: unset.")
    private Path tlsKey;

    @Option(names = "--tls-provider", defaultValue = "auto", paramLabel = "PROVIDER",
            description = "TLS implementation: auto (OpenSSL where its natives load: Linux and macOS on x86_64 and "
                    + "aarch64; else the JDK's), openssl or jdk. Env: SSECAST_TLS_PROVIDER. Default: ${DEFAULT-VALUE}.")
    private ServerTls.Provider tlsProvider;

    @Option(names = "--tls-reload-check", defaultValue = "10s", paramLabel = "DURATION",
            converter = OptionValues.Millis.class,
            description = "How often --tls-cert and --tls-key are read again for a new pair, within [100ms, 1h]. "
                    + "Env: SSECAST_TLS_RELOAD_CHECK. Default: ${DEFAULT-VALUE}.")
    private Duration tlsReloadCheck;

    private ServerTls tls;

    @Option(names = "--jwks", paramLabel = "FILE",
            description = "JWK set file (RS256, ES256 keys by kid), re-read when it changes. Env: SSECAST_JWKS. "
                    + "Default: unset.")
    private Path jwks;

    @Option(names = "--jwks-url", paramLabel = "URL",
            description = "Remote JWK set (RS256, ES256 keys by kid), fetched in the background: cached 5m, fetched "
                    + "at most every 30s. Env: SSECAST_JWKS_URL. Default: unset.")
    private String jwksUrl;

    @Option(names = "--jwt-audience", paramLabel = "AUD",
            description = "The aud tokens must name. Env: SSECAST_JWT_AUDIENCE. Default: unchecked.")
    private String jwtAudience;

    @Option(names = "--jwt-issuer", paramLabel = "ISS",
            description = "The iss tokens must have. Env: SSECAST_JWT_ISSUER. Default: unchecked.")
    private String jwtIssuer;

    @Option(names = "--jwt-leeway", defaultValue = "60s", paramLabel = "DURATION",
            converter = OptionValues.Millis.class,
            description = "Clock skew allowed on exp and nbf, also added to a stream's end; within [0s, 10m]. "
                    + "Env: SSECAST_JWT_LEEWAY. Default: ${DEFAULT-VALUE}.")
    private Duration jwtLeeway;

    @Option(names = "--public-topics", defaultValue = "", paramLabel = "TOPICS",
            description = "With a key: comma-separated topics, or prefixes ending in *, anyone may read. "
                    + "Env: SSECAST_PUBLIC_TOPICS. Default: none.")
    private String publicTopics;

    @Option(names = "--jwt-cookie", defaultValue = "ssecast_token", paramLabel = "NAME",
            description = "Cookie a browser's token may come in (streams only). Env: SSECAST_JWT_COOKIE. "
                    + "Default: ${DEFAULT-VALUE}.")
    private String jwtCookie;

    @Option(names = "--allow-query-token", defaultValue = "false", arity = "0..1", fallbackValue = "true",
            paramLabel = "BOOL",
            description = "Also read a stream's token from ?access_token= (it may end up in proxy logs). "
                    + "Env: SSECAST_ALLOW_QUERY_TOKEN. Default: ${DEFAULT-VALUE}.")
    private boolean allowQueryToken;

    /** The keys loaded from the options above and what they decide, set in {@link #validate}. */
    private final TokenKeys tokenKeys = new TokenKeys();
    private Authorizer authorizer;

    @Option(names = "--transport", defaultValue = "auto", paramLabel = "KIND", converter = Transport.Converter.class,
            description = "auto (epoll on Linux, else nio), epoll, nio or io_uring (when the kernel allows it, "
                    + "else auto). Env: SSECAST_TRANSPORT. Default: ${DEFAULT-VALUE}.")
    private Transport transport;

    @Option(names = "--io-threads", defaultValue = "0", paramLabel = "N",
            description = "Event loop threads; 0 means one per core. Env: SSECAST_IO_THREADS. "
                    + "Default: ${DEFAULT-VALUE}.")
    private int ioThreads;

    @Option(names = "--leak-detection", defaultValue = "disabled", paramLabel = "LEVEL",
            converter = LeakDetection.Converter.class,
            description = "Netty's buffer leak detection: disabled, simple (Netty's own default; a tick whose frame "
                    + "it samples pays a tracker per stream), advanced or paranoid (for debugging). "
                    + "-Dio.netty.leakDetection.level given to the JVM wins over this option. "
                    + "Env: SSECAST_LEAK_DETECTION. Default: ${DEFAULT-VALUE}.")
    private ResourceLeakDetector.Level leakDetection;

    @Option(names = "--redis", paramLabel = "URI",
            description = "Distributed mode: share the event log with other nodes through this Redis, e.g. "
                    + "redis://host:6379/0 (rediss:// for TLS). Unset: memory mode. Env: SSECAST_REDIS. "
                    + "Default: unset.")
    private String redis;

    @Option(names = "--redis-stream", defaultValue = "ssecast", paramLabel = "KEY",
            description = "Key of the Redis Stream the nodes share. Env: SSECAST_REDIS_STREAM. "
                    + "Default: ${DEFAULT-VALUE}.")
    private String redisStream;

    @Option(names = "--demo", defaultValue = "false", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "Publish the current time to topic 'default' every second. Env: SSECAST_DEMO. "
                    + "Default: ${DEFAULT-VALUE}.")
    private boolean demo;

    // Abuse limits and the real client address (issue 9); validated in validateAbuseLimits.

    @Option(names = "--trusted-proxies", defaultValue = "", paramLabel = "CIDRS",
            description = "Comma-separated IPv4/IPv6 CIDRs of proxies whose word on the client address is believed "
                    + "(PROXY header, or Forwarded / X-Forwarded-For). Env: SSECAST_TRUSTED_PROXIES. "
                    + "Default: none.")
    private String trustedProxies;

    @Option(names = "--proxy-protocol", defaultValue = "false", arity = "0..1", fallbackValue = "true",
            paramLabel = "BOOL",
            description = "Connections from --trusted-proxies begin with a PROXY protocol v1/v2 header naming the "
                    + "client; forwarding headers are then ignored. Env: SSECAST_PROXY_PROTOCOL. "
                    + "Default: ${DEFAULT-VALUE}.")
    private boolean proxyProtocol;

    @Option(names = "--max-connections-per-ip", defaultValue = "256", paramLabel = "N",
            description = "Most connections one client address (an IPv6 /64) holds; beyond it subscribers are told "
                    + "to retry later and other requests get 429. 0 for no limit. "
                    + "Env: SSECAST_MAX_CONNECTIONS_PER_IP. Default: ${DEFAULT-VALUE}.")
    private int maxConnectionsPerIp;

    @Option(names = "--max-streams", defaultValue = "100000", paramLabel = "N",
            description = "Most event streams served at once, over HTTP/1.1 and HTTP/2 together; beyond it "
                    + "subscribers are told to retry later. Env: SSECAST_MAX_STREAMS. Default: ${DEFAULT-VALUE}.")
    private int maxStreams;

    @Option(names = "--max-streams-per-connection", defaultValue = "1000", paramLabel = "N",
            description = "Most streams one HTTP/2 connection opens at once, announced as "
                    + "SETTINGS_MAX_CONCURRENT_STREAMS. Env: SSECAST_MAX_STREAMS_PER_CONNECTION. "
                    + "Default: ${DEFAULT-VALUE}.")
    private int maxStreamsPerConnection;

    @Option(names = "--max-connection-queued", defaultValue = "64MiB", paramLabel = "SIZE",
            converter = OptionValues.Bytes.class,
            description = "Most bytes one HTTP/2 connection may have waiting for its client's flow-control windows, "
                    + "summed over its streams; beyond it GOAWAY and close, and its clients resume elsewhere. "
                    + "Env: SSECAST_MAX_CONNECTION_QUEUED. Default: ${DEFAULT-VALUE}.")
    private long maxConnectionQueued;

    @Option(names = "--request-timeout", defaultValue = "10s", paramLabel = "DURATION",
            converter = OptionValues.Millis.class,
            description = "A request must arrive whole within this of the accept or of the previous response, "
                    + "else 408 and close; also closes idle keep-alive connections. Streams have none. "
                    + "Env: SSECAST_REQUEST_TIMEOUT. Default: ${DEFAULT-VALUE}.")
    private Duration requestTimeout;

    @Option(names = "--publish-rate", defaultValue = "0", paramLabel = "EVENTS",
            description = "Events per second one client address may publish (a token bucket of --publish-burst); "
                    + "beyond it 429. 0 for no limit. Env: SSECAST_PUBLISH_RATE. Default: ${DEFAULT-VALUE}.")
    private int publishRate;

    @Option(names = "--publish-burst", paramLabel = "EVENTS",
            description = "Events one client address may publish in a row after a quiet spell. "
                    + "Env: SSECAST_PUBLISH_BURST. Default: --publish-rate.")
    private Integer publishBurst;

    @Option(names = "--metrics-token", paramLabel = "TOKEN",
            description = "Bearer token /metrics requires from clients that are not loopback. Unset: loopback "
                    + "clients only. Env: SSECAST_METRICS_TOKEN. Default: unset.")
    private String metricsToken;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Show the version and exit.")
    private boolean version;

    private TrustedProxies trusted = TrustedProxies.NONE;

    private ServerOptions() {
    }

    /**
     * Parses {@code args}, taking each option not given from {@code env} ({@code SSECAST_<NAME>}), then from its
     * default, and checks every value.
     *
     * @throws ParameterException naming the option (and its variable, when the value came from there)
     */
    public static ServerOptions parse(Map<String, String> env, String... args) {
        ServerOptions options = new ServerOptions();
        EnvDefaults defaults = new EnvDefaults(env);
        CommandLine cli = commandLine(options, defaults);
        try {
            cli.parseArgs(args);
            if (!options.help && !options.version) {
                options.validate(cli, env);
            }
        } catch (ParameterException e) {
            throw defaults.blame(e);
        }
        return options;
    }

    /** The {@code --help} text, with the defaults {@code env} implies. */
    public static String usage(Map<String, String> env) {
        StringWriter out = new StringWriter();
        commandLine(new ServerOptions(), new EnvDefaults(env)).usage(new PrintWriter(out));
        return out.toString();
    }

    private static CommandLine commandLine(ServerOptions options, EnvDefaults defaults) {
        return new CommandLine(options)
                .setDefaultValueProvider(defaults)
                .setToggleBooleanFlags(false)
                .setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** The variable that sets {@code option} (a long name such as {@code --max-connections}). */
    static String envName(String option) {
        return ENV_PREFIX + option.substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private void validate(CommandLine cli, Map<String, String> env) {
        within(cli, "--port", port, 0, 65_535);
        within(cli, "--tick", tick, Duration.ofMillis(1), Duration.ofSeconds(1));
        within(cli, "--replay", replay, 1, 10_000_000);
        within(cli, "--replay-bytes", replayBytes, 1024, 1L << 40);
        within(cli, "--max-event-bytes", maxEventBytes, 1, 16L << 20);
        within(cli, "--heartbeat", heartbeat, tick, Duration.ofHours(1));
        within(cli, "--retry", retry, Duration.ZERO, Duration.ofHours(1));
        within(cli, "--drain", drain, Duration.ZERO, Duration.ofHours(1));
        if (maxConnections != null) {
            within(cli, "--max-connections", maxConnections, 1, Integer.MAX_VALUE);
        }
        within(cli, "--publish-queue", publishQueue, 1, 1 << 24);
        within(cli, "--io-threads", ioThreads, 0, 1024);
        if (host.isBlank()) {
            throw invalid(cli, "--host", "must not be empty");
        }
        if (publishToken != null && !TOKEN.matcher(publishToken).matches()) {
            throw invalid(cli, "--publish-token", "must be 16..1024 characters of [A-Za-z0-9._~+/=-] (RFC 6750)");
        }
        if (redis != null && !REDIS_URI.matcher(redis).matches()) {
            throw invalid(cli, "--redis", "must be redis://[[user:]password@]host[:port][/db] or rediss://..., was "
                    + redactPassword(redis));
        }
        if (!STREAM_KEY.matcher(redisStream).matches()) {
            throw invalid(cli, "--redis-stream", "must be 1..128 characters of [A-Za-z0-9._:-], was " + redisStream);
        }
        if (corsOrigin.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
            throw invalid(cli, "--cors-origin", "must be printable ASCII");
        }
        validateAbuseLimits(cli);
        if (corsOrigins().contains("*")) {
            throw invalid(cli, "--cors-origin", "must be * alone or a list of origins, was " + corsOrigin);
        }
        validateTokens(cli, env);
        validateTls(cli);
    }

    private void validateAbuseLimits(CommandLine cli) {
        try {
            trusted = TrustedProxies.parse(trustedProxies);
        } catch (IllegalArgumentException e) {
            throw invalid(cli, "--trusted-proxies", e.getMessage());
        }
        if (proxyProtocol && trusted.isEmpty()) {
            throw invalid(cli, "--proxy-protocol", "needs --trusted-proxies: the PROXY header is read only from them");
        }
        within(cli, "--max-connections-per-ip", maxConnectionsPerIp, 0, Integer.MAX_VALUE);
        within(cli, "--request-timeout", requestTimeout, Duration.ofMillis(100), Duration.ofMinutes(10));
        within(cli, "--max-streams", maxStreams, 1, Integer.MAX_VALUE);
        within(cli, "--max-streams-per-connection", maxStreamsPerConnection, 1, Integer.MAX_VALUE);
        within(cli, "--max-connection-queued", maxConnectionQueued, 64 << 10, 1L << 40);
        within(cli, "--publish-rate", publishRate, 0, 1_000_000);
        if (publishBurst != null) {
            within(cli, "--publish-burst", publishBurst, 1, 1_000_000);
            if (publishRate == 0) {
                throw invalid(cli, "--publish-burst", "needs --publish-rate");
            }
        }
        if (metricsToken != null && !TOKEN.matcher(metricsToken).matches()) {
            throw invalid(cli, "--metrics-token", "must be 16..1024 characters of [A-Za-z0-9._~+/=-] (RFC 6750)");
        }
    }

    private void validateTls(CommandLine cli) {
        within(cli, "--tls-reload-check", tlsReloadCheck, Duration.ofMillis(100), Duration.ofHours(1));
        if ((tlsCert == null) != (tlsKey == null)) {
            throw invalid(cli, tlsCert == null ? "--tls-key" : "--tls-cert",
                    "--tls-cert and --tls-key go together: give both, or neither for plain HTTP");
        }
        if (tlsCert != null) {
            try {
                tls = ServerTls.load(tlsCert, tlsKey, tlsProvider);
            } catch (IllegalArgumentException e) {
                String option = e.getMessage().startsWith("--tls-key") ? "--tls-key"
                        : e.getMessage().startsWith("--tls-provider") ? "--tls-provider" : "--tls-cert";
                throw invalid(cli, option, e.getMessage());
            }
        }
    }

    private void validateTokens(CommandLine cli, Map<String, String> env) {
        within(cli, "--jwt-leeway", jwtLeeway, Duration.ZERO, Duration.ofMinutes(10));
        if (!COOKIE_NAME.matcher(jwtCookie).matches()) {
            throw invalid(cli, "--jwt-cookie", "must be 1..64 characters of [A-Za-z0-9_-], was " + jwtCookie);
        }
        String secret = env.get(JWT_KEY_ENV);
        if (secret != null && !secret.isEmpty() && jwtKeyFile != null) {
            throw invalid(cli, "--jwt-key-file", "set either it or " + JWT_KEY_ENV + ", not both");
        }
        if (secret != null && !secret.isEmpty()) {
            try {
                tokenKeys.addHmacSecret(secret.getBytes(StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cli, "Invalid value for " + JWT_KEY_ENV + ": " + e.getMessage());
            }
        }
        load(cli, "--jwt-key-file", jwtKeyFile, file -> tokenKeys.addHmacSecret(readSecret(file)));
        load(cli, "--jwt-public-key", jwtPublicKey, tokenKeys::addPublicKey);
        load(cli, "--jwks", jwks, tokenKeys::addJwksFile);
        if (jwksUrl != null) {
            try {
                tokenKeys.addJwksUrl(jwksUrl);
            } catch (IllegalArgumentException e) {
                throw invalid(cli, "--jwks-url", e.getMessage());
            }
        }
        try {
            authorizer = Authorizer.builder()
                    .keys(tokenKeys)
                    .audience(jwtAudience)
                    .issuer(jwtIssuer)
                    .leeway(jwtLeeway)
                    .publicTopics(publicTopics)
                    .cookieName(jwtCookie)
                    .allowQueryToken(allowQueryToken)
                    .corsOrigins(corsOrigins())
                    .build();
        } catch (IllegalArgumentException e) {
            throw invalid(cli, "--public-topics", e.getMessage());
        }
    }

    private static void load(CommandLine cli, String option, Path file, Consumer<Path> adder) {
        if (file == null) {
            return;
        }
        try {
            adder.accept(file);
        } catch (IllegalArgumentException e) {
            throw invalid(cli, option, e.getMessage());
        }
    }

    /** The bytes of a secret file, without trailing line breaks (an editor's last newline is not part of it). */
    private static byte[] readSecret(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
        int length = bytes.length;
        while (length > 0 && (bytes[length - 1] == '\n' || bytes[length - 1] == '\r')) {
            length--;
        }
        return Arrays.copyOf(bytes, length);
    }

    /**
     * A Redis URI as it may be shown (logged or echoed): the password of {@code redis://password@host} or
     * {@code redis://user:password@host} (and {@code rediss://}) replaced by {@code ***}. Everything up to the last
     * {@code @} counts as credentials, so a malformed value does not leak a password that contains {@code @}.
     */
    static String redactPassword(String uri) {
        int scheme = uri.indexOf("://");
        int start = scheme < 0 ? 0 : scheme + 3;
        int at = uri.lastIndexOf('@');
        if (at < start) {
            return uri;
        }
        int colon = uri.indexOf(':', start);
        String user = colon >= 0 && colon < at ? uri.substring(start, colon + 1) : "";
        return uri.substring(0, start) + user + "***" + uri.substring(at);
    }

    private static void within(CommandLine cli, String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw invalid(cli, option, "must be within [" + min + ", " + max + "], was " + value);
        }
    }

    private static void within(CommandLine cli, String option, Duration value, Duration min, Duration max) {
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw invalid(cli, option, "must be within [" + OptionValues.format(min) + ", "
                    + OptionValues.format(max) + "], was " + OptionValues.format(value));
        }
    }

    private static ParameterException invalid(CommandLine cli, String option, String problem) {
        OptionSpec spec = cli.getCommandSpec().findOption(option);
        return new ParameterException(cli, "Invalid value for option '" + option + "': " + problem, spec, null);
    }

    boolean helpRequested() {
        return help;
    }

    boolean versionRequested() {
        return version;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public Duration tick() {
        return tick;
    }

    public int replay() {
        return replay;
    }

    public long replayBytes() {
        return replayBytes;
    }

    public int maxEventBytes() {
        return (int) maxEventBytes;
    }

    public Duration heartbeat() {
        return heartbeat;
    }

    public Duration retry() {
        return retry;
    }

    public Duration drain() {
        return drain;
    }

    /** The requested connection limit, or null when unset (then the open-file limit decides). */
    public Integer maxConnections() {
        return maxConnections;
    }

    public int publishQueue() {
        return publishQueue;
    }

    /** The publish token, or null when publishing is limited to loopback clients. */
    public String publishToken() {
        return publishToken;
    }

    /** The CORS origin, or null for none. */
    public String corsOrigin() {
        return corsOrigin.isEmpty() ? null : corsOrigin;
    }

    /** The origins listed by {@code --cors-origin}, echoed with credentials; empty for {@code *} or none. */
    public Set<String> corsOrigins() {
        if (corsOrigin.isEmpty() || "*".equals(corsOrigin)) {
            return Set.of();
        }
        Set<String> origins = new LinkedHashSet<>();
        for (String origin : corsOrigin.split(",")) {
            if (!origin.isBlank()) {
                origins.add(origin.strip());
            }
        }
        return Set.copyOf(origins);
    }

    /**
     * The authorization these options describe, keys loaded (open when no key is set); one per parse, so one
     * per server: it counts refusals per client address.
     */
    public Authorizer authorizer() {
        return authorizer;
    }

    public Transport transport() {
        return transport;
    }

    /** Event loop threads; 0 means one per core. */
    public int ioThreads() {
        return ioThreads;
    }

    /**
     * The leak detection level asked for; the server applies it at start unless the JVM was given
     * {@code -Dio.netty.leakDetection.level}.
     */
    public ResourceLeakDetector.Level leakDetection() {
        return leakDetection;
    }

    /** The Redis URI of the distributed mode, or null in memory mode. */
    public String redis() {
        return redis;
    }

    public String redisStream() {
        return redisStream;
    }

    public boolean demo() {
        return demo;
    }

    /** The proxies whose word on the client address is believed; none by default. */
    public TrustedProxies trustedProxies() {
        return trusted;
    }

    public boolean proxyProtocol() {
        return proxyProtocol;
    }

    /** Connections one client address may hold; 0 for no limit. */
    public int maxConnectionsPerIp() {
        return maxConnectionsPerIp;
    }

    /** Streams served at once over both protocols. */
    public int maxStreams() {
        return maxStreams;
    }

    /** Streams one HTTP/2 connection opens at once ({@code SETTINGS_MAX_CONCURRENT_STREAMS}). */
    public int maxStreamsPerConnection() {
        return maxStreamsPerConnection;
    }

    /** Bytes one HTTP/2 connection may have waiting for flow-control windows, over all its streams. */
    public long maxConnectionQueued() {
        return maxConnectionQueued;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** Events per second one client address may publish; 0 for no limit. */
    public int publishRate() {
        return publishRate;
    }

    /** The publish bucket's size: {@code --publish-burst}, else {@link #publishRate()}. */
    public int publishBurst() {
        return publishBurst != null ? publishBurst : publishRate;
    }

    /** The token /metrics takes from non-loopback clients, or null: loopback only. */
    public String metricsToken() {
        return metricsToken;
    }

    /** TLS on the listener, loaded from {@code --tls-cert} and {@code --tls-key}; null for plain HTTP. */
    public ServerTls tls() {
        return tls;
    }

    public Duration tlsReloadCheck() {
        return tlsReloadCheck;
    }

    /**
     * Defaults from {@code SSECAST_<NAME>} variables; remembers which options it supplied, so that an error in
     * such a value names the variable the operator set rather than only an option they never typed.
     */
    private static final class EnvDefaults implements CommandLine.IDefaultValueProvider {
        private final Map<String, String> env;
        private final Set<ArgSpec> fromEnv = new HashSet<>();

        EnvDefaults(Map<String, String> env) {
            this.env = env;
        }

        @Override
        public String defaultValue(ArgSpec arg) {
            if (!(arg instanceof OptionSpec) || ((OptionSpec) arg).usageHelp() || ((OptionSpec) arg).versionHelp()) {
                return null;
            }
            String value = env.get(envName(((OptionSpec) arg).longestName()));
            if (value == null || value.isEmpty()) {
                return arg.defaultValue();
            }
            fromEnv.add(arg);
            return value;
        }

        ParameterException blame(ParameterException e) {
            ArgSpec arg = e.getArgSpec();
            if (!(arg instanceof OptionSpec) || !fromEnv.contains(arg)
                    || e.getCommandLine().getParseResult().hasMatchedOption((OptionSpec) arg)) {
                return e;
            }
            String option = ((OptionSpec) arg).longestName();
            String message = e.getMessage().replace("option '" + option + "'",
                    envName(option) + " (option '" + option + "')");
            return new ParameterException(e.getCommandLine(), message, arg, e.getValue());
        }
    }
}
