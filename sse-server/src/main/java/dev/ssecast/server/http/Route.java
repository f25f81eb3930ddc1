package dev.ssecast.server.http;

import io.netty.handler.codec.http.HttpMethod;

import java.util.List;
import java.util.stream.Collectors;

/** The server's paths and the methods each allows; anything else is 404, a method not listed 405. */
enum Route {
    EVENTS("/events", HttpMethod.GET, HttpMethod.POST, HttpMethod.OPTIONS),
    PAGE("/", HttpMethod.GET, HttpMethod.HEAD),
    HEALTHZ("/healthz", HttpMethod.GET, HttpMethod.HEAD),
    READYZ("/readyz", HttpMethod.GET, HttpMethod.HEAD),
    METRICS("/metrics", HttpMethod.GET, HttpMethod.HEAD);

    private final String path;
    private final List<HttpMethod> methods;
    private final String allow;

    Route(String path, HttpMethod... methods) {
        this.path = path;
        this.methods = List.of(methods);
        this.allow = this.methods.stream().map(HttpMethod::name).collect(Collectors.joining(", "));
    }

    /** The route of a decoded path, or null. */
    static Route of(String path) {
        for (Route route : values()) {
            if (route.path.equals(path)) {
                return route;
            }
        }
        return null;
    }

    /**
     * The path part of a request target, still encoded: origin form ({@code /events?x}) or absolute form
     * ({@code http://host/events?x}); null for anything else ({@code *}, authority form).
     */
    static String rawPath(String uri) {
        int start = 0;
        if (!uri.startsWith("/")) {
            int scheme = uri.indexOf("://");
            if (scheme <= 0) {
                return null;
            }
            start = uri.indexOf('/', scheme + 3);
            if (start < 0) {
                return "/";
            }
        }
        int end = uri.length();
        for (int i = start; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        return uri.substring(start, end);
    }

    boolean allows(HttpMethod method) {
        return methods.contains(method);
    }

    /** The {@code Allow} header of a 405. */
    String allow() {
        return allow;
    }
}
