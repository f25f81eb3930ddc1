package dev.ssecast.bench.load;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The stream reader on a recorded response, whole and split at every byte boundary. */
class SseStreamReaderTest {
    private static final String HEAD = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n";

    private static String chunk(String payload) {
        return Integer.toHexString(payload.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + payload + "\r\n";
    }

    private static String response() {
        long t = System.nanoTime();
        return HEAD + chunk("retry: 3000\n\n")
                + chunk("id: 7\ndata: {\"seq\":0,\"t\":" + t + "}\n\n:heartbeat\n\n")
                + chunk("id: 8\r\ndata: {\"seq\":1,\"t\":" + t + ",\"pad\":\"xx\"}\r\n\r\nid: 10\n")
                + chunk("data: {\"seq\":3,\"t\":" + t + "}\n\n")
                + chunk("id: 9\nevent: late\ndata: {\"seq\":2,\"t\":" + t + "}\n\nid: 11\n\n");
    }

    private static StreamAccount read(String response, int pieceSize) {
        StreamAccount account = new StreamAccount();
        Tally tally = new Tally();
        account.mark(0);
        EmbeddedChannel channel = new EmbeddedChannel(new SseStreamReader(account, tally));
        byte[] bytes = response.getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at < bytes.length; at += pieceSize) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, at, Math.min(pieceSize, bytes.length - at)));
        }
        assertThat(tally.opened.get()).isEqualTo(1);
        assertThat(tally.deliveries.sum()).isEqualTo(account.received());
        assertThat(tally.latency.getIntervalHistogram().getTotalCount()).isEqualTo(account.stepReceived());
        assertThat(channel.finishAndReleaseAll()).isFalse();
        return account;
    }

    @Test
    void countsEventsWithDataAndSkipsRetryCommentsAndEmptyBlocks() {
        StreamAccount account = read(response(), Integer.MAX_VALUE);
        assertThat(account.received()).isEqualTo(4);
        assertThat(account.stepReceived()).isEqualTo(4);
        assertThat(account.firstSeq()).isZero();
        assertThat(account.maxSeq()).isEqualTo(3);
    }

    @Test
    void countsAnIdBelowThePreviousAsOutOfOrder() {
        assertThat(read(response(), Integer.MAX_VALUE).outOfOrder()).isEqualTo(1);
    }

    @Test
    void readsTheSameSplitAtEveryByte() {
        for (int piece = 1; piece < 40; piece++) {
            StreamAccount account = read(response(), piece);
            assertThat(account.received()).as("pieces of %d bytes", piece).isEqualTo(4);
            assertThat(account.outOfOrder()).as("pieces of %d bytes", piece).isEqualTo(1);
            assertThat(account.maxSeq()).as("pieces of %d bytes", piece).isEqualTo(3);
        }
    }

    @Test
    void ordersIdsByTheirNumericParts() {
        StreamAccount account = new StreamAccount();
        account.onEvent(1718000000L, 2, 0);
        account.onEvent(1718000000L, 10, 1); // "1718000000:10" after ":2", though it sorts before it as text
        account.onEvent(1718000001L, 0, 2);
        account.onEvent(1718000000L, 11, 3);
        assertThat(account.outOfOrder()).isEqualTo(1);
    }

    @Test
    void refusedEventsAreNotLosses() {
        StreamAccount account = new StreamAccount();
        for (long seq : new long[] {5, 6, 8, 10}) {
            account.onEvent(seq, 0, seq);
        }
        assertThat(account.gaps()).as("the running estimate sees 7 and 9 missing").isEqualTo(2);
        account.onEvent(9, 0, 9); // 9 arrives late, behind id 10
        assertThat(account.gaps()).isEqualTo(1);
        assertThat(account.outOfOrder()).isEqualTo(1);
        assertThat(account.lost(10, Refusals.NONE)).isEqualTo(1); // 7
        assertThat(account.lost(10, Refusals.of(7, 3))).as("3 is before the first").isEqualTo(0);
        assertThat(account.lost(12, Refusals.of(7))).as("the tail counts").isEqualTo(2);
    }

    @Test
    void aFailedResponseCountsAsAFailedConnection() {
        Tally tally = new Tally();
        EmbeddedChannel channel = new EmbeddedChannel(new SseStreamReader(new StreamAccount(), tally));
        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n",
                StandardCharsets.US_ASCII));
        assertThat(tally.failed.get()).isEqualTo(1);
        assertThat(tally.opened.get()).isZero();
        assertThat(channel.isOpen()).isFalse();
        channel.finishAndReleaseAll();
    }
}
