package dev.ssecast.bench.load;

import java.net.URI;

/**
 * How the subscribers reach the stream URL: one HTTP/1.1 connection each, or {@code streamsPerConnection} HTTP/2
 * streams on each connection (prior knowledge on {@code http://}, ALPN {@code h2} on {@code https://}). Immutable.
 */
record Subscription(URI url, Protocol protocol, int streamsPerConnection) {
    /** The subscribers' protocol; its name is the {@code --protocol} value. */
    enum Protocol {
        HTTP1("http1"), H2("h2");

        private final String option;

        Protocol(String option) {
            this.option = option;
        }

        String option() {
            return option;
        }

        static Protocol parse(String option) {
            for (Protocol protocol : values()) {
                if (protocol.option.equalsIgnoreCase(option)) {
                    return protocol;
                }
            }
            throw new IllegalArgumentException("--protocol must be http1 or h2, was " + option);
        }
    }

    Subscription {
        if (protocol == Protocol.HTTP1 && streamsPerConnection != 1) {
            throw new IllegalArgumentException("HTTP/1.1 carries one stream per connection, was " + streamsPerConnection);
        }
        if (streamsPerConnection < 1) {
            throw new IllegalArgumentException("streams per connection must be at least 1, was "
                    + streamsPerConnection);
        }
    }

    static Subscription http1(URI url) {
        return new Subscription(url, Protocol.HTTP1, 1);
    }

    static Subscription h2(URI url, int streamsPerConnection) {
        return new Subscription(url, Protocol.H2, streamsPerConnection);
    }

    /** TCP connections that {@code streams} subscribers take. */
    int connectionsFor(int streams) {
        return (streams + streamsPerConnection - 1) / streamsPerConnection;
    }
}
