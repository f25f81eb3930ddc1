package dev.ssecast.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The live page served at {@code /}: one self-contained HTML file packaged in the jar. The server fills in one
 * thing per request, whether this client may publish ({@code open}, {@code token} or {@code closed}); everything
 * else the page reads from its own URL. Its inline script and style are allowed by their hashes in a strict
 * Content-Security-Policy, so nothing else can run on it.
 */
final class LivePage {
    private static final String RESOURCE = "live.html";
    private static final String MODE_MARKER = "__PUBLISH_MODE__";

    private final String before;
    private final String after;
    private final String contentSecurityPolicy;

    private LivePage(String html) {
        int marker = html.indexOf(MODE_MARKER);
        if (marker < 0) {
            throw new IllegalStateException(RESOURCE + " has no " + MODE_MARKER);
        }
        this.before = html.substring(0, marker);
        this.after = html.substring(marker + MODE_MARKER.length());
        this.contentSecurityPolicy = "default-src 'none'; script-src " + hashOf(html, "script")
                + "; style-src " + hashOf(html, "style")
                + "; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    static LivePage load() {
        try (InputStream in = LivePage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the jar");
            }
            return new LivePage(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] render(PublishAuth.Mode mode) {
        String value = mode.name().toLowerCase(java.util.Locale.ROOT);
        return (before + value + after).getBytes(StandardCharsets.UTF_8);
    }

    String contentSecurityPolicy() {
        return contentSecurityPolicy;
    }

    /** The CSP source {@code 'sha256-...'} of the one inline {@code <tag>} element of {@code html}. */
    private static String hashOf(String html, String tag) {
        int open = html.indexOf("<" + tag + ">");
        int close = html.indexOf("</" + tag + ">");
        if (open < 0 || close < open) {
            throw new IllegalStateException(RESOURCE + " has no inline <" + tag + ">");
        }
        String body = html.substring(open + tag.length() + 2, close);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
            return "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
