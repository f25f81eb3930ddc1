package dev.ssecast.core.internal;

import dev.ssecast.core.SseEvent;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A stream with a deadline is ended cleanly by its loop's once-a-second check, with a retry, then closed. */
class StreamDeadlineTest {
    private final Streams streams = new Streams();
    private final Hub hub = new Hub(Streams.settings(100, 16, 1, false, null), System::nanoTime);

    @AfterEach
    void closeEverything() {
        hub.close();
        streams.finishAll();
    }

    private EmbeddedChannel subscribe(long untilMillis) {
        EmbeddedChannel channel = new EmbeddedChannel();
        streams.add(channel);
        hub.subscribe(channel, List.of("a"), null, untilMillis, 1500);
        return channel;
    }

    @Test
    void endsAStreamPastItsDeadlineWithItsRetryWithinTheNextCheck() {
        long until = System.currentTimeMillis() + 50;
        EmbeddedChannel ending = subscribe(until);
        EmbeddedChannel forever = subscribe(Long.MAX_VALUE);
        EmbeddedChannel later = subscribe(System.currentTimeMillis() + TimeUnit.HOURS.toMillis(1));
        hub.tickNow();
        List.of(ending, forever, later).forEach(Wire::frames);
        await().until(() -> System.currentTimeMillis() > until); // the deadline is wall-clock time

        for (EmbeddedChannel channel : List.of(ending, forever, later)) {
            channel.advanceTimeBy(1, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
        }
        assertThat(Wire.frames(ending)).containsExactly("d\r\nretry: 1500\n\n\r\n0\r\n\r\n");
        assertThat(ending.isOpen()).isFalse();
        assertThat(forever.isOpen()).isTrue();
        assertThat(later.isOpen()).isTrue();
        assertThat(hub.stats().streamsExpired()).isEqualTo(1);
        assertThat(hub.stats().openStreams()).isEqualTo(2);

        hub.publish("a", SseEvent.ofData("after"));
        hub.tickNow();
        assertThat(Wire.stream(forever)).isEqualTo("id: 1\ndata: after\n\n");
        assertThat(Wire.frames(ending)).as("nothing after its end").isEmpty();
    }

    @Test
    void endsAStreamWhoseDeadlinePassedBeforeItWasAdmitted() {
        EmbeddedChannel late = subscribe(System.currentTimeMillis() - 1);
        hub.tickNow();
        assertThat(Wire.frames(late)).containsExactly("d\r\nretry: 1500\n\n\r\n0\r\n\r\n");
        assertThat(late.isOpen()).isFalse();
        assertThat(hub.stats().openStreams()).isZero();
    }
}
