package dev.ssecast.core.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP/2 stream sink: chunks in, DATA frames of slices of the same buffer out, and who releases what. */
class H2StreamSinkTest {
    private static ByteBuf ascii(String text) {
        return Unpooled.directBuffer().writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(Http2DataFrame frame) {
        return frame.content().toString(StandardCharsets.US_ASCII);
    }

    @Test
    void eachChunkBecomesADataFrameOfASliceAndTheLastChunkEndsTheStream() {
        EmbeddedChannel channel = new EmbeddedChannel(H2StreamSink.INSTANCE);
        ByteBuf chunks = ascii("5\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n");
        ChannelFuture written = channel.writeAndFlush(chunks);

        Http2DataFrame first = channel.readOutbound();
        Http2DataFrame second = channel.readOutbound();
        Http2DataFrame last = channel.readOutbound();
        assertThat(text(first)).isEqualTo("hello");
        assertThat(text(second)).isEqualTo("0123456789abcdef");
        assertThat(first.isEndStream() || second.isEndStream()).isFalse();
        assertThat(last.isEndStream()).isTrue();
        assertThat(last.content().readableBytes()).isZero();
        assertThat(written.isSuccess()).isTrue();
        assertThat(channel.<Object>readOutbound()).isNull();
        // slices of the buffer, not copies: it lives until the frames are released, and no longer
        assertThat(chunks.refCnt()).isEqualTo(2);
        first.release();
        second.release();
        last.release();
        assertThat(chunks.refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aChunkWithoutTheLastOneKeepsTheStreamOpen() {
        EmbeddedChannel channel = new EmbeddedChannel(H2StreamSink.INSTANCE);
        channel.writeAndFlush(ascii("3\r\nabc\r\n"));
        Http2DataFrame frame = channel.readOutbound();
        assertThat(text(frame)).isEqualTo("abc");
        assertThat(frame.isEndStream()).isFalse();
        frame.release();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aBufferThatIsNotChunkFramedFailsItsWriteAndIsReleased() {
        EmbeddedChannel channel = new EmbeddedChannel(H2StreamSink.INSTANCE);
        for (String broken : new String[] {"hello", "5\r\nhel", "5\nhello\r\n", "zz\r\n\r\n", "3\r\nabc\r\n4\r\nab"}) {
            ByteBuf buffer = ascii(broken);
            ChannelFuture written = channel.writeAndFlush(buffer);
            assertThat(written.cause()).as(broken).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a chunk-framed buffer");
            assertThat(buffer.refCnt()).as(broken).isZero();
            Object partial;
            while ((partial = channel.readOutbound()) != null) { // frames before the break went out whole
                ((Http2DataFrame) partial).release();
            }
        }
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void theHeadPassesAsItIsAndWhatTheClientSendsIsDiscarded() {
        EmbeddedChannel channel = new EmbeddedChannel(H2StreamSink.INSTANCE);
        Http2HeadersFrame head = new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"));
        channel.writeAndFlush(head);
        assertThat(channel.<Object>readOutbound()).isSameAs(head);
        ByteBuf inbound = ascii("ignored");
        channel.writeInbound(inbound);
        assertThat(inbound.refCnt()).isZero();
        assertThat(channel.<Object>readInbound()).isNull();
        assertThat(channel.finish()).isFalse();
    }
}
