package dev.ssecast.server.net;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class AddressConnectionsTest {
    private static ClientAddress client(String literal) throws Exception {
        return new ClientAddress(InetAddress.getByName(literal));
    }

    @Test
    void countsConnectionsPerAddressAndForgetsAnAddressWhenItsLastOneCloses() throws Exception {
        AddressConnections limit = new AddressConnections(2);
        EmbeddedChannel[] channels = {new EmbeddedChannel(), new EmbeddedChannel(), new EmbeddedChannel()};
        for (EmbeddedChannel channel : channels) {
            limit.track(channel, client("192.0.2.1"));
        }
        EmbeddedChannel other = new EmbeddedChannel();
        limit.track(other, client("192.0.2.2"));

        assertThat(limit.isOverLimit(channels[0])).isFalse();
        assertThat(limit.isOverLimit(channels[1])).isFalse();
        assertThat(limit.isOverLimit(channels[2])).isTrue();
        assertThat(limit.isOverLimit(other)).isFalse();
        assertThat(limit.count(client("192.0.2.1"))).isEqualTo(3);

        for (EmbeddedChannel channel : channels) {
            channel.close();
        }
        assertThat(limit.count(client("192.0.2.1"))).isZero();
        assertThat(limit.addresses()).isOne();
        other.close();
        assertThat(limit.addresses()).isZero();
    }

    @Test
    void movesAConnectionWhoseClientChanges() throws Exception {
        AddressConnections limit = new AddressConnections(1);
        EmbeddedChannel channel = new EmbeddedChannel();
        limit.track(channel, client("10.0.0.1"));
        limit.track(channel, client("198.51.100.7"));
        limit.track(channel, client("198.51.100.7"));
        assertThat(limit.count(client("10.0.0.1"))).isZero();
        assertThat(limit.count(client("198.51.100.7"))).isOne();
        channel.close();
        assertThat(limit.addresses()).isZero();
    }

    @Test
    void countsAnIpv6Slash64AsOneAddress() throws Exception {
        AddressConnections limit = new AddressConnections(1);
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel b = new EmbeddedChannel();
        limit.track(a, client("2001:db8:0:1::1"));
        limit.track(b, client("2001:db8:0:1::2"));
        assertThat(limit.isOverLimit(b)).isTrue();
        a.close();
        b.close();
    }

    @Test
    void countsNothingWhenOff() throws Exception {
        AddressConnections off = new AddressConnections(0);
        EmbeddedChannel channel = new EmbeddedChannel();
        off.track(channel, client("192.0.2.1"));
        assertThat(off.isOverLimit(channel)).isFalse();
        assertThat(off.addresses()).isZero();
        channel.close();
    }

    @RepeatedTest(5)
    @Timeout(30)
    void leavesNoCounterBehindWhenConnectsAndClosesRace() throws Exception {
        AddressConnections limit = new AddressConnections(1000);
        ClientAddress shared = client("192.0.2.1");
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Void>> racers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            racers.add(CompletableFuture.runAsync(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < 5000; i++) {
                    EmbeddedChannel channel = new EmbeddedChannel(); // each racer owns its channels
                    limit.track(channel, shared);
                    channel.close();
                }
            }));
        }
        start.countDown();
        CompletableFuture.allOf(racers.toArray(CompletableFuture[]::new)).join();
        assertThat(limit.count(shared)).isZero();
        assertThat(limit.addresses()).isZero();
    }
}
