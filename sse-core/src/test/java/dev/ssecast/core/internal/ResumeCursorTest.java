package dev.ssecast.core.internal;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseDecoder;
import dev.ssecast.core.SseEvent;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A resume is a cursor into the ring, not a copy: pieces of retained slices of the ring's entries, one in flight
 * at a time, joining live in the tick where the cursor reaches the newest event; and a quiet topic is not reset
 * because other topics were busy.
 */
class ResumeCursorTest {
    private static final int EVENT_BYTES = 8 << 10;
    private long now = 1_000_000_000L;
    private final Streams streams = new Streams();
    private final List<String> accepted = new ArrayList<>();
    private final CountingAllocator allocator = new CountingAllocator();
    private Hub hub = hub(100, 16 << 20);

    private Hub hub(int replayEvents, long replayBytes) {
        HubSettings base = Streams.settings(replayEvents, 1024, 1, false, null);
        return new Hub(new HubSettings(base.tick(), base.heartbeat(), replayEvents, replayBytes, base.publishQueue(),
                base.firstId(), false, base.writeBufferLow(), base.writeBufferHigh(), base.maxQueuedBytes(),
                base.maxUnwritable(), allocator, base.tickObserver(), null), () -> now);
    }

    @AfterEach
    void closeEverything() {
        hub.close();
        streams.finishAll();
    }

    private String publish(String topic, String data) {
        PublishResult result = hub.publish(topic, SseEvent.ofData(data));
        assertThat(result.isAccepted()).isTrue();
        accepted.add(result.id());
        return result.id();
    }

    /** 40 events of 8 KiB on topic a: 320 KiB, five pieces of at most 64 KiB. */
    private void fillRing() {
        for (int i = 0; i < 40; i++) {
            publish("a", big(i));
        }
        hub.tickNow();
    }

    private static String last(List<String> ids) {
        return ids.get(ids.size() - 1);
    }

    private static String big(int n) {
        String head = n + ":";
        return head + "x".repeat(EVENT_BYTES - head.length());
    }

    /** What a stream got, decoded: events as {@code id=data}, and the last event id it would resume from. */
    private static final class Received {
        final List<String> events = new ArrayList<>();
        String lastEventId;
        private final SseDecoder decoder = new SseDecoder(event -> events.add(event.id() + "=" + event.data()));

        void read(List<String> frames) {
            for (String frame : frames) {
                decoder.decode(Unpooled.wrappedBuffer(Wire.chunkPayload(frame).getBytes(StandardCharsets.UTF_8)));
            }
            lastEventId = decoder.lastEventId();
        }
    }

    @Test
    void streamsTheRingAPieceATickMadeOfSlicesOfItsEntriesThenJoinsLive() {
        fillRing();
        EmbeddedChannel channel = streams.subscribe(hub, accepted.get(0), "a");
        List<ByteBuf> pieces = new ArrayList<>();
        Received received = new Received();
        for (int tick = 0; tick < 20 && !received.events.contains(last(accepted) + "=" + big(104)); tick++) {
            if (tick < 5) {
                publish("a", big(100 + tick)); // published while it catches up
            }
            hub.tickNow();
            channel.runPendingTasks();
            ByteBuf piece;
            List<String> frames = new ArrayList<>();
            while ((piece = channel.readOutbound()) != null) {
                pieces.add(piece);
                frames.add(piece.toString(StandardCharsets.UTF_8));
            }
            received.read(frames);
        }
        try {
            assertThat(pieces.size()).as("several pieces, one a tick").isGreaterThan(4);
            for (ByteBuf piece : pieces.subList(0, pieces.size() - 1)) {
                assertThat(piece).isInstanceOf(CompositeByteBuf.class);
                CompositeByteBuf composite = (CompositeByteBuf) piece;
                assertThat(composite.numComponents()).isLessThan(1024);
                assertThat(piece.readableBytes()).as("a piece holds at most the high water mark, and one more event")
                        .isLessThanOrEqualTo((64 << 10) + EVENT_BYTES + 64);
                assertThat(piece.isDirect()).as("direct, so a transport writes it without a copy").isTrue();
            }
        } finally {
            pieces.forEach(ByteBuf::release);
        }
        List<String> expected = new ArrayList<>();
        for (int i = 1; i < accepted.size(); i++) {
            expected.add(accepted.get(i));
        }
        assertThat(received.events).extracting(e -> e.substring(0, e.indexOf('=')))
                .as("every event after the id, then live, with no gap and no duplicate").isEqualTo(expected);

        String live = publish("a", "live");
        hub.tickNow();
        received.read(Wire.frames(channel));
        assertThat(received.events.get(received.events.size() - 1)).isEqualTo(live + "=live");
    }

    @Test
    void aResumeCopiesNoEventBytes() {
        fillRing();
        long before = allocator.allocated;
        List<EmbeddedChannel> resumers = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            EmbeddedChannel channel = streams.subscribe(hub, accepted.get(0), "a");
            channel.pipeline().addFirst(new HoldWrites()); // never written: each holds one piece
            resumers.add(channel);
        }
        hub.tickNow();
        resumers.forEach(EmbeddedChannel::runPendingTasks);
        long allocated = allocator.allocated - before;
        assertThat(allocated).as("30 resumes of 320 KiB each: chunk headers only, the events are slices (a copy "
                + "would be %d bytes)", 30L * 40 * EVENT_BYTES).isLessThan(30L * 64);
        resumers.forEach(channel -> channel.pipeline().get(HoldWrites.class).releaseAll());
    }

    @Test
    void closesAResumeWhosePieceStaysUnwrittenPastTheSlowConsumerBound() {
        fillRing();
        EmbeddedChannel channel = streams.subscribe(hub, accepted.get(0), "a");
        HoldWrites held = new HoldWrites();
        channel.pipeline().addFirst(held);
        hub.tickNow();
        channel.runPendingTasks();
        assertThat(held.count()).as("one piece in flight").isEqualTo(1);
        for (int i = 0; i < 5; i++) {
            now += TimeUnit.SECONDS.toNanos(5);
            hub.tickNow();
            channel.runPendingTasks();
        }
        assertThat(held.count()).as("no second piece while the first is in flight").isEqualTo(1);
        now += TimeUnit.SECONDS.toNanos(10); // past the 30 s bound
        hub.tickNow();
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        assertThat(hub.stats().slowConsumersClosed()).isEqualTo(1);
        assertThat(hub.stats().openStreams()).isZero();
        held.releaseAll();
    }

    @Test
    void closesAResumeWhoseNextEventTheRingEvicted() {
        hub.close();
        hub = hub(20, 16 << 20);
        for (int i = 0; i < 20; i++) {
            publish("a", big(i));
        }
        hub.tickNow();
        EmbeddedChannel channel = streams.subscribe(hub, accepted.get(0), "a");
        hub.tickNow();
        Received received = new Received();
        received.read(Wire.frames(channel));
        assertThat(received.events).hasSizeLessThan(19);
        for (int i = 0; i < 20; i++) {
            publish("b", "evicts"); // the rest of topic a's events go
        }
        hub.tickNow();
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("closed: its client resumes from %s, what it really got",
                received.lastEventId).isFalse();
        assertThat(received.lastEventId).isEqualTo(received.events.get(received.events.size() - 1).split("=")[0]);
    }

    @Test
    void sendsNoHeartbeatToAStreamStillCatchingUp() {
        fillRing();
        EmbeddedChannel channel = streams.subscribe(hub, accepted.get(0), "a");
        HoldWrites held = new HoldWrites();
        channel.pipeline().addFirst(held);
        EmbeddedChannel idleLive = streams.subscribe(hub, null, "a");
        hub.tickNow();
        Wire.frames(idleLive);
        now += Duration.ofMillis(600).toNanos(); // past half the 1 s heartbeat
        hub.tickNow();
        channel.runPendingTasks();
        assertThat(Wire.frames(idleLive)).as("the live stream gets its heartbeat").hasSize(1);
        assertThat(held.count()).as("the resuming stream only its first piece").isEqualTo(1);
        held.releaseAll();
    }

    @Test
    void doesNotResetAQuietTopicBecauseOtherTopicsWereBusy() {
        hub.close();
        hub = hub(50, 16 << 20);
        String quiet = publish("a", "the only a");
        for (int i = 0; i < 60; i++) {
            publish("b", "busy " + i); // evicts everything of a, and b's first ten
        }
        hub.tickNow();
        EmbeddedChannel channel = streams.subscribe(hub, quiet, "a");
        hub.tickNow();
        Received received = new Received();
        received.read(Wire.frames(channel));
        assertThat(received.events).as("no reset: no event of a after %s was lost", quiet).isEmpty();
        assertThat(received.lastEventId).as("primed with the newest id").isEqualTo(accepted.get(accepted.size() - 1));
        assertThat(hub.stats().resets()).isZero();

        EmbeddedChannel busy = streams.subscribe(hub, accepted.get(1), "b");
        hub.tickNow();
        Received old = new Received();
        old.read(Wire.frames(busy));
        assertThat(old.events).as("a b event after its id was evicted").first().asString().contains("too-old");
    }

    @Test
    void primesAStreamOfANewHubWithTheIdBeforeTheFirst() {
        hub.close();
        HubSettings base = Streams.settings(10, 16, 1_700_000_000_000_000L, false, null);
        hub = new Hub(base, () -> now);
        EmbeddedChannel channel = streams.subscribe(hub, null, "a");
        hub.tickNow();
        assertThat(Wire.stream(channel)).isEqualTo("id: 1699999999999999\n\n");
    }

    @Test
    void primesAStreamOfSuppliedIdsWithWhereThePublisherStarted() {
        hub.close();
        hub = new Hub(Streams.settings(10, 16, 1, true, null), () -> now);
        EmbeddedChannel before = streams.subscribe(hub, null, "a");
        hub.tickNow();
        assertThat(Wire.stream(before)).as("nothing known yet: no priming").isEmpty();
        hub.startAfter(EventId.parse("1700000000000-3"));
        EmbeddedChannel after = streams.subscribe(hub, null, "a");
        hub.tickNow();
        assertThat(Wire.stream(after)).isEqualTo("id: 1700000000000-3\n\n");
        assertThat(Wire.stream(before)).isEmpty();
        assertThatThrownBy(() -> hub.publish("a", SseEvent.builder().id("1700000000000-3").data("x").build()))
                .as("ids must come after where the publisher started").isInstanceOf(IllegalArgumentException.class);
    }

    /** The pooled allocator, counting the bytes asked of it. */
    private static final class CountingAllocator extends AbstractByteBufAllocator {
        long allocated;

        CountingAllocator() {
            super(true);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            allocated += initialCapacity;
            return PooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            allocated += initialCapacity;
            return PooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return true;
        }
    }

    /** Holds every write unwritten, as a peer that never reads would; releases them on demand. */
    private static final class HoldWrites extends ChannelOutboundHandlerAdapter {
        private final List<Object> held = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            held.add(msg);
        }

        int count() {
            return held.size();
        }

        void releaseAll() {
            held.forEach(ReferenceCountUtil::release);
            held.clear();
        }
    }
}
