package dev.ssecast.bench.load;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.HdrHistogram.Histogram;
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

    /**
     * cfanout's answer to a GET byte for byte (../shared/bench/cfanout.c): no ids and no chunked coding, the body
     * read until close; each POST body becomes one {@code data:} line, and events that queued up go out back to back
     * in one write.
     */
    private static String cfanout(long t) {
        String pad = "x".repeat(52);
        return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                + "Connection: keep-alive\r\nAccess-Control-Allow-Origin: *\r\n\r\n"
                + "data: " + Publisher.body(0, t, pad) + "\n\n"
                + "data: " + Publisher.body(1, t, pad) + "\n\ndata: " + Publisher.body(2, t, pad) + "\n\n";
    }

    private static StreamAccount read(String response, int pieceSize) {
        return readWithLatency(response, pieceSize).account();
    }

    /** What one connection read, and the latencies it recorded (microseconds). */
    private record Read(StreamAccount account, Histogram latency) {
    }

    private static Read readWithLatency(String response, int pieceSize) {
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
        Histogram latency = tally.latency.getIntervalHistogram();
        assertThat(latency.getTotalCount()).isEqualTo(account.stepReceived());
        assertThat(channel.finishAndReleaseAll()).isFalse();
        return new Read(account, latency);
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
    void readsCfanoutsPlainStreamWithoutIdsAndTakesEachEventsPublishTime() {
        for (int piece = 1; piece < 60; piece++) {
            long t = System.nanoTime();
            Read read = readWithLatency(cfanout(t), piece);
            long bound = (System.nanoTime() - t) / 1000 + 1;
            StreamAccount account = read.account();
            assertThat(account.received()).as("pieces of %d bytes", piece).isEqualTo(3);
            assertThat(account.maxSeq()).as("pieces of %d bytes", piece).isEqualTo(2);
            assertThat(account.gaps()).as("pieces of %d bytes", piece).isZero();
            assertThat(account.outOfOrder()).as("no ids, nothing to order by").isZero();
            assertThat(read.latency().getTotalCount()).as("one latency per event").isEqualTo(3);
            assertThat(read.latency().getMaxValue())
                    .as("latency from the publish time in the data, pieces of %d bytes", piece)
                    .isLessThanOrEqualTo(read.latency().highestEquivalentValue(bound));
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
