package dev.ssecast.server.auth;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RefusalLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final RefusalLimiter limiter = new RefusalLimiter(now::get);

    @Test
    void isOverFromTheTwentiethRefusalInAMinuteUntilTheMinuteEnds() throws Exception {
        InetAddress a = InetAddress.getByName("192.0.2.1");
        InetAddress b = InetAddress.getByName("192.0.2.2");
        for (int i = 0; i < 19; i++) {
            limiter.refused(a);
        }
        assertThat(limiter.isOver(a)).isFalse();
        limiter.refused(a);
        assertThat(limiter.isOver(a)).isTrue();
        assertThat(limiter.isOver(b)).as("counted per address").isFalse();

        now.addAndGet(TimeUnit.SECONDS.toNanos(59));
        assertThat(limiter.isOver(a)).isTrue();
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(limiter.isOver(a)).isFalse();
        limiter.refused(a);
        assertThat(limiter.isOver(a)).as("a new window starts from one").isFalse();
    }
}
