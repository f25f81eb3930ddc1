package dev.ssecast.core.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The build's leak check can fail: a buffer dropped without release is reported to the extension. */
class LeakFailingExtensionTest {
    @Test
    void reportsABufferThatWasNeverReleased() {
        leakOne();
        List<String> reported = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            reported.addAll(LeakFailingExtension.collect());
            return !reported.isEmpty();
        });
        assertThat(reported).anySatisfy(leak -> assertThat(leak).contains("LEAK: ByteBuf.release() was not called"));
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeLong(42);
    }
}
