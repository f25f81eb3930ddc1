package dev.ssecast.server.net;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class PublishRateTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private static ClientAddress client(String literal) throws Exception {
        return new ClientAddress(InetAddress.getByName(literal));
    }

    @Test
    void allowsABurstThenTheRateAndTellsHowLongToWait() throws Exception {
        PublishRate rate = new PublishRate(2, 3, now::get); // a token every 500ms, three in the bucket
        ClientAddress a = client("192.0.2.1");
        assertThat(rate.take(a)).isZero();
        assertThat(rate.take(a)).isZero();
        assertThat(rate.take(a)).isZero();
        assertThat(rate.take(a)).isEqualTo(1);
        assertThat(rate.take(client("192.0.2.2"))).as("another address has its own bucket").isZero();
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(rate.take(a)).isZero();
        assertThat(rate.take(a)).isEqualTo(1);
    }

    @Test
    void tellsTheWholeSecondsUntilATokenIsBack() throws Exception {
        PublishRate rate = new PublishRate(1, 1, now::get);
        ClientAddress a = client("192.0.2.1");
        assertThat(rate.take(a)).isZero();
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(rate.take(a)).isEqualTo(1);
        PublishRate slow = new PublishRate(1, 1, now::get);
        assertThat(slow.take(a)).isZero();
        assertThat(slow.take(a)).isEqualTo(1);
    }

    @Test
    void forgetsBucketsThatAreFullAgainWhenTheTableFills() throws Exception {
        PublishRate rate = new PublishRate(1000, 1, now::get);
        byte[] v4 = {10, 0, 0, 0};
        for (int i = 0; i < PublishRate.MAX_ADDRESSES; i++) {
            v4[2] = (byte) (i >> 8);
            v4[3] = (byte) i;
            v4[1] = (byte) (i >> 16);
            assertThat(rate.take(new ClientAddress(InetAddress.getByAddress(v4)))).isZero();
        }
        assertThat(rate.addresses()).isEqualTo(PublishRate.MAX_ADDRESSES);
        assertThat(rate.take(client("192.0.2.1"))).as("full of busy buckets: refused").isEqualTo(1);
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(rate.take(client("192.0.2.1"))).isZero();
        assertThat(rate.addresses()).isOne();
    }
}
