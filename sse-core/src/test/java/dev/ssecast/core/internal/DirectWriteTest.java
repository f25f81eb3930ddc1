package dev.ssecast.core.internal;

import dev.ssecast.core.SseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stream whose pipeline holds only an inbound handler is written through the channel's own outbound path; any
 * other stream, and a stream that gets an outbound handler after it joined, keeps the pipeline's path, so that
 * handler sees every frame. The bytes, the close and the accounting are the same on both paths.
 */
class DirectWriteTest {
    private final Streams streams = new Streams();
    private final Hub hub = new Hub(Streams.settings(100, 16, 1, false, null), System::nanoTime);

    /** Counts the frames written through it, and passes them on. */
    static final class CountingWrites extends ChannelOutboundHandlerAdapter {
        int writes;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            writes++;
            ctx.write(msg, promise);
        }
    }

    @AfterEach
    void closeEverything() {
        hub.close();
        streams.finishAll();
    }

    private EmbeddedChannel subscribe(EmbeddedChannel channel) {
        streams.add(channel);
        hub.subscribe(channel, List.of("a"), null);
        return channel;
    }

    private void publish(String data) {
        hub.publish("a", SseEvent.ofData(data));
        hub.tickNow();
    }

    @Test
    void soleInboundIsTheOnlyHandlerWhenItIsInboundOnly() {
        EmbeddedChannel sink = new EmbeddedChannel(StreamSink.INSTANCE);
        assertThat(AudienceStreams.soleInbound(sink.pipeline())).isSameAs(sink.pipeline().firstContext());
        EmbeddedChannel empty = new EmbeddedChannel();
        assertThat(AudienceStreams.soleInbound(empty.pipeline())).isNull();
        EmbeddedChannel outbound = new EmbeddedChannel(new CountingWrites());
        assertThat(AudienceStreams.soleInbound(outbound.pipeline())).isNull();
        EmbeddedChannel two = new EmbeddedChannel(new ChannelInboundHandlerAdapter(), StreamSink.INSTANCE);
        assertThat(AudienceStreams.soleInbound(two.pipeline())).isNull();
        List.of(sink, empty, outbound, two).forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    @Test
    void deliversTheSameBytesOnBothPaths() {
        EmbeddedChannel direct = subscribe(new EmbeddedChannel(StreamSink.INSTANCE));
        CountingWrites counting = new CountingWrites();
        EmbeddedChannel walked = subscribe(new EmbeddedChannel(counting, StreamSink.INSTANCE));
        hub.tickNow();
        publish("one");
        publish("two");
        String walkedBytes = Wire.stream(walked);
        assertThat(Wire.stream(direct)).isEqualTo(walkedBytes).contains("data: one\n\n", "data: two\n\n");
        assertThat(counting.writes).as("the walked path passes its handler").isGreaterThanOrEqualTo(2);
        assertThat(hub.stats().deliveries()).isEqualTo(4);
    }

    @Test
    void anOutboundHandlerAddedAfterTheStreamJoinedSeesEveryLaterFrame() {
        EmbeddedChannel last = subscribe(new EmbeddedChannel(StreamSink.INSTANCE));
        EmbeddedChannel first = subscribe(new EmbeddedChannel(StreamSink.INSTANCE));
        hub.tickNow();
        publish("before");
        assertThat(Wire.stream(last)).isEqualTo(Wire.stream(first)).contains("data: before\n\n");
        CountingWrites atEnd = new CountingWrites();
        CountingWrites atStart = new CountingWrites();
        last.pipeline().addLast(atEnd);
        first.pipeline().addFirst(atStart);
        publish("after");
        publish("again");
        assertThat(Wire.stream(last)).isEqualTo(Wire.stream(first)).isEqualTo("id: 2\ndata: after\n\nid: 3\ndata: again\n\n");
        assertThat(atEnd.writes).isEqualTo(2);
        assertThat(atStart.writes).isEqualTo(2);
    }

    @Test
    void aStreamWhoseTransportConsumesOnItsLoopIsWrittenViewsAndOthersDuplicates() {
        EmbeddedChannel marked = new EmbeddedChannel(StreamSink.INSTANCE);
        marked.attr(StreamSink.CONSUMES_ON_LOOP).set(true);
        subscribe(marked);
        EmbeddedChannel plain = subscribe(new EmbeddedChannel(StreamSink.INSTANCE));
        hub.tickNow();
        Wire.frames(marked);
        Wire.frames(plain);
        publish("one");
        marked.runPendingTasks();
        plain.runPendingTasks();
        ByteBuf view = marked.readOutbound();
        ByteBuf duplicate = plain.readOutbound();
        try {
            assertThat(view).isInstanceOf(LoopView.class);
            assertThat(duplicate).isNotInstanceOf(LoopView.class);
            assertThat(view.toString(java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(duplicate.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("data: one\n\n");
        } finally {
            view.release();
            duplicate.release();
        }
        publish("two");
        assertThat(Wire.stream(marked)).isEqualTo(Wire.stream(plain)).isEqualTo("id: 2\ndata: two\n\n");
    }

    @Test
    void aClosedStreamOnTheDirectPathReleasesItsFrameAndLeaves() {
        EmbeddedChannel closing = subscribe(new EmbeddedChannel(StreamSink.INSTANCE));
        EmbeddedChannel staying = subscribe(new EmbeddedChannel(StreamSink.INSTANCE));
        hub.tickNow();
        publish("one");
        Wire.frames(closing);
        closing.close();
        publish("two");
        assertThat(Wire.stream(staying)).contains("data: one\n\n", "data: two\n\n");
        assertThat(hub.stats().openStreams()).isEqualTo(1);
        Object none = closing.readOutbound();
        assertThat(none).isNull();
        if (none instanceof ByteBuf) {
            ((ByteBuf) none).release();
        }
    }
}
