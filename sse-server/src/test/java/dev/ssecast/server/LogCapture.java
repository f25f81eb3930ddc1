package dev.ssecast.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * What the server logs while a test runs: a Logback {@link ListAppender} on the root logger at {@code level}
 * (the test configuration keeps the root at WARN), detached and the level restored on {@link #close}.
 */
final class LogCapture implements AutoCloseable {
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Level previous = root.getLevel();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogCapture(Level level) {
        appender.start();
        root.addAppender(appender);
        root.setLevel(level);
    }

    /** Each event so far as {@code LEVEL logger - message}, with its exception's message when it has one. */
    List<String> lines() {
        List<ILoggingEvent> events;
        synchronized (appender) { // AppenderBase.doAppend appends under the appender's lock
            events = List.copyOf(appender.list);
        }
        return events.stream().map(e -> e.getLevel() + " " + e.getLoggerName() + " - " + e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage())).toList();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        root.setLevel(previous);
        appender.stop();
    }
}
