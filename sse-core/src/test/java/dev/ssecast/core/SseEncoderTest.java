package dev.ssecast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SseEncoderTest {

    static Stream<Arguments> table() {
        return Stream.of(
                arguments("plain data", SseEvent.ofData("hello"), "data: hello\n\n"),
                arguments("empty data is one empty data line", SseEvent.ofData(""), "data:\n\n"),
                arguments("LF splits data", SseEvent.ofData("a\nb"), "data: a\ndata: b\n\n"),
                arguments("lone CR splits data", SseEvent.ofData("a\rb"), "data: a\ndata: b\n\n"),
                arguments("CRLF splits data once", SseEvent.ofData("a\r\nb"), "data: a\ndata: b\n\n"),
                arguments("LF CR is two line breaks", SseEvent.ofData("a\n\rb"), "data: a\ndata:\ndata: b\n\n"),
                arguments("CR CR LF is two line breaks", SseEvent.ofData("a\r\r\nb"), "data: a\ndata:\ndata: b\n\n"),
                arguments("mixed breaks", SseEvent.ofData("1\r2\n3\r\n4"),
                        "data: 1\ndata: 2\ndata: 3\ndata: 4\n\n"),
                arguments("trailing LF leaves an empty last line", SseEvent.ofData("a\n"), "data: a\ndata:\n\n"),
                arguments("trailing CR leaves an empty last line", SseEvent.ofData("a\r"), "data: a\ndata:\n\n"),
                arguments("leading LF leaves an empty first line", SseEvent.ofData("\na"), "data:\ndata: a\n\n"),
                arguments("only CRLF is two empty lines", SseEvent.ofData("\r\n"), "data:\ndata:\n\n"),
                arguments("blank lines inside data stay data lines", SseEvent.ofData("a\n\n\nb"),
                        "data: a\ndata:\ndata:\ndata: b\n\n"),
                arguments("U+2028 U+2029 U+0085 VT FF do not split",
                        SseEvent.ofData("a\u2028b\u2029c\u0085d\u000Be\u000Cf"),
                        "data: a\u2028b\u2029c\u0085d\u000Be\u000Cf\n\n"),
                arguments("leading space survives", SseEvent.ofData(" x"), "data:  x\n\n"),
                arguments("two leading spaces survive", SseEvent.ofData("  x"), "data:   x\n\n"),
                arguments("only a space", SseEvent.ofData(" "), "data:  \n\n"),
                arguments("colons in data", SseEvent.ofData("a: b:c"), "data: a: b:c\n\n"),
                arguments("NUL and TAB in data", SseEvent.ofData("a\0b\tc"), "data: a\0b\tc\n\n"),
                arguments("two-byte UTF-8", SseEvent.ofData("é"), "data: é\n\n"),
                arguments("three-byte UTF-8", SseEvent.ofData("日本"), "data: 日本\n\n"),
                arguments("four-byte UTF-8", SseEvent.ofData("😀"), "data: 😀\n\n"),
                arguments("BOM inside data", SseEvent.ofData("\uFEFFx"), "data: \uFEFFx\n\n"),
                arguments("id", SseEvent.builder().id("42").data("x").build(), "id: 42\ndata: x\n\n"),
                arguments("empty id resets", SseEvent.builder().id("").data("x").build(), "id:\ndata: x\n\n"),
                arguments("id with leading space", SseEvent.builder().id(" 1").build(), "id:  1\n\n"),
                arguments("type", SseEvent.builder().type("add").data("73857293").build(),
                        "event: add\ndata: 73857293\n\n"),
                arguments("non-ASCII type", SseEvent.builder().type("日本").data("x").build(),
                        "event: 日本\ndata: x\n\n"),
                arguments("retry zero", SseEvent.builder().retry(Duration.ZERO).build(), "retry: 0\n\n"),
                arguments("retry", SseEvent.builder().retry(Duration.ofSeconds(3)).build(), "retry: 3000\n\n"),
                arguments("retry max", SseEvent.builder().retry(Duration.ofMillis(Long.MAX_VALUE)).build(),
                        "retry: 9223372036854775807\n\n"),
                arguments("comment", SseEvent.builder().comment("keep-alive").build(), ": keep-alive\n\n"),
                arguments("empty comment", SseEvent.builder().comment("").build(), ":\n\n"),
                arguments("multi-line comment", SseEvent.builder().comment("one\r\ntwo\rthree\n").build(),
                        ": one\n: two\n: three\n:\n\n"),
                arguments("comment with leading space", SseEvent.builder().comment(" x").build(), ":  x\n\n"),
                arguments("comment not split on U+2028", SseEvent.builder().comment("a\u2028b").build(),
                        ": a\u2028b\n\n"),
                arguments("all fields in order",
                        SseEvent.builder()
                                .data("d1\nd2").retry(Duration.ofMillis(10)).type("t").id("i").comment("c")
                                .build(),
                        ": c\nid: i\nevent: t\nretry: 10\ndata: d1\ndata: d2\n\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void writesExactlyTheExpectedBytes(String name, SseEvent event, String expected) {
        ByteBuf out = Unpooled.buffer();
        try {
            SseEncoder.encode(event, out);

            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(expected);
            assertThat(ByteBufUtil.getBytes(out)).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
        } finally {
            out.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void reportsTheExactEncodedLength(String name, SseEvent event, String expected) {
        ByteBuf out = Unpooled.buffer();
        try {
            SseEncoder.encode(event, out);

            assertThat(SseEncoder.encodedLength(event))
                    .isEqualTo(out.readableBytes())
                    .isEqualTo(expected.getBytes(StandardCharsets.UTF_8).length);
        } finally {
            out.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void fitsABufferWhoseMaxCapacityIsTheEncodedLength(String name, SseEvent event, String expected) {
        int length = SseEncoder.encodedLength(event);
        ByteBuf heap = Unpooled.buffer(0, length);
        ByteBuf direct = Unpooled.directBuffer(length, length);
        try {
            SseEncoder.encode(event, heap);
            SseEncoder.encode(event, direct);

            assertThat(heap.toString(StandardCharsets.UTF_8)).isEqualTo(expected);
            assertThat(direct.toString(StandardCharsets.UTF_8)).isEqualTo(expected);
        } finally {
            heap.release();
            direct.release();
        }
    }

    @Test
    void appendsAfterWhatTheBufferAlreadyHolds() {
        ByteBuf out = Unpooled.buffer();
        try {
            out.writeCharSequence("data: first\n\n", StandardCharsets.UTF_8);
            out.readerIndex(2);

            SseEncoder.encode(SseEvent.ofData("second"), out);

            assertThat(out.readerIndex()).isEqualTo(2);
            assertThat(out.toString(0, out.writerIndex(), StandardCharsets.UTF_8))
                    .isEqualTo("data: first\n\ndata: second\n\n");
        } finally {
            out.release();
        }
    }

    @Test
    void writesIntoACompositeBuffer() {
        CompositeByteBuf out = Unpooled.compositeBuffer();
        out.addComponent(true, Unpooled.copiedBuffer(": hi\n\n", StandardCharsets.UTF_8));
        try {
            SseEncoder.encode(SseEvent.builder().id("日").data("é\n😀").build(), out);

            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(": hi\n\nid: 日\ndata: é\ndata: 😀\n\n");
        } finally {
            out.release();
        }
    }

    @Test
    void neitherRetainsNorReleasesTheOutputBuffer() {
        ByteBuf out = Unpooled.buffer();
        try {
            SseEncoder.encode(SseEvent.ofData("x"), out);

            assertThat(out.refCnt()).isEqualTo(1);
        } finally {
            out.release();
        }
    }

    @Test
    void writesLargeNonAsciiDataWithoutGrowingBeyondTheEvent() {
        SseEvent event = SseEvent.ofData("日本".repeat(10_000));
        int length = SseEncoder.encodedLength(event);
        ByteBuf out = Unpooled.buffer(0, length);
        try {
            SseEncoder.encode(event, out);

            assertThat(out.readableBytes()).isEqualTo(length).isEqualTo(6 + 60_000 + 2);
        } finally {
            out.release();
        }
    }

    @Test
    void writesNothingWhenTheBufferCannotHoldTheEvent() {
        SseEvent event = SseEvent.ofData("hello");
        ByteBuf out = Unpooled.buffer(0, SseEncoder.encodedLength(event) - 1);
        try {
            assertThatExceptionOfType(IndexOutOfBoundsException.class)
                    .isThrownBy(() -> SseEncoder.encode(event, out));
            assertThat(out.writerIndex()).isZero();
        } finally {
            out.release();
        }
    }

    @Test
    void encodesConsecutiveEventsIntoOneStream() {
        ByteBuf out = Unpooled.buffer();
        try {
            SseEncoder.encode(SseEvent.builder().type("add").data("73857293").build(), out);
            SseEncoder.encode(SseEvent.builder().type("remove").data("2153").build(), out);

            assertThat(out.toString(StandardCharsets.UTF_8))
                    .isEqualTo("event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\n");
        } finally {
            out.release();
        }
    }
}
