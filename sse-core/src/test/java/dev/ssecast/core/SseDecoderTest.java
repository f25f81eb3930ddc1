package dev.ssecast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SseDecoderTest {

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    /** The example streams of the WHATWG HTML Living Standard, 9.2.1 and 9.2.6, with what the spec says they fire. */
    static Stream<Arguments> specExamples() {
        return Stream.of(
                arguments("9.2.1: three messages, one of two lines",
                        "data: This is the first message.\n"
                                + "\n"
                                + "data: This is the second message, it\n"
                                + "data: has two lines.\n"
                                + "\n"
                                + "data: This is the third message.\n"
                                + "\n",
                        List.of(data("This is the first message."),
                                data("This is the second message, it\nhas two lines."),
                                data("This is the third message."))),
                arguments("9.2.1: two event types",
                        "event: add\n"
                                + "data: 73857293\n"
                                + "\n"
                                + "event: remove\n"
                                + "data: 2153\n"
                                + "\n"
                                + "event: add\n"
                                + "data: 113411\n"
                                + "\n",
                        List.of(typed("add", "73857293"), typed("remove", "2153"), typed("add", "113411"))),
                arguments("9.2.6: stock ticker, once followed by a blank line",
                        "data: YHOO\n"
                                + "data: +2\n"
                                + "data: 10\n"
                                + "\n",
                        List.of(data("YHOO\n+2\n10"))),
                arguments("9.2.6: four blocks: a comment, an id, an id reset, a leading space",
                        ": test stream\n"
                                + "\n"
                                + "data: first event\n"
                                + "id: 1\n"
                                + "\n"
                                + "data:second event\n"
                                + "id\n"
                                + "\n"
                                + "data:  third event\n"
                                + "\n",
                        List.of(new Comment("test stream"),
                                SseEvent.builder().id("1").data("first event").build(),
                                data("second event"),
                                data(" third event"))),
                arguments("9.2.6: two events, the last block discarded",
                        "data\n"
                                + "\n"
                                + "data\n"
                                + "data\n"
                                + "\n"
                                + "data:",
                        List.of(data(""), data("\n"))),
                arguments("9.2.6: two identical events",
                        "data:test\n"
                                + "\n"
                                + "data: test\n"
                                + "\n",
                        List.of(data("test"), data("test"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specExamples")
    void firesWhatTheSpecSaysForItsExamples(String name, String stream, List<Object> expected) {
        assertThat(decode(stream)).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specExamples")
    void firesTheSameForTheSpecExamplesWithCrLfLineEnds(String name, String stream, List<Object> expected) {
        assertThat(decode(stream.replace("\n", "\r\n"))).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specExamples")
    void firesTheSameForTheSpecExamplesWithLoneCrLineEnds(String name, String stream, List<Object> expected) {
        assertThat(decode(stream.replace("\n", "\r"))).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specExamples")
    void firesTheSameForTheSpecExamplesFedOneByteAtATime(String name, String stream, List<Object> expected) {
        for (String variant : List.of(stream, stream.replace("\n", "\r\n"), stream.replace("\n", "\r"))) {
            byte[] bytes = variant.getBytes(StandardCharsets.UTF_8);
            byte[][] chunks = new byte[bytes.length][];
            for (int i = 0; i < bytes.length; i++) {
                chunks[i] = new byte[] {bytes[i]};
            }
            assertThat(decodeBytes(chunks)).as(variant).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void tracksTheLastEventIdThroughTheFourBlockExample() {
        Recorder recorder = new Recorder();
        SseDecoder decoder = new SseDecoder(recorder);

        feed(decoder, ": test stream\n\n");
        assertThat(decoder.lastEventId()).isEmpty();
        feed(decoder, "data: first event\nid: 1\n\n");
        assertThat(decoder.lastEventId()).isEqualTo("1");
        feed(decoder, "data:second event\nid\n\n");
        assertThat(decoder.lastEventId()).isEmpty();
        feed(decoder, "data:  third event\n\n");
        assertThat(decoder.lastEventId()).isEmpty();
    }

    @Test
    void skipsALeadingByteOrderMark() {
        assertThat(decodeBytes(BOM, utf8("data: x\n\n"))).containsExactly(data("x"));
    }

    @Test
    void skipsALeadingByteOrderMarkSplitAcrossBuffers() {
        byte[] ef = {BOM[0]};
        byte[] bb = {BOM[1]};
        byte[] bfAndMore = {BOM[2], 'd', 'a', 't', 'a', ':', 'x', '\n', '\n'};

        assertThat(decodeBytes(ef, bb, bfAndMore)).containsExactly(data("x"));
        assertThat(decodeBytes(new byte[] {BOM[0], BOM[1]}, new byte[] {BOM[2]}, utf8("data:x\n\n")))
                .containsExactly(data("x"));
    }

    @Test
    void skipsOnlyOneByteOrderMark() {
        // the second BOM is content: the field is "\uFEFFdata", which is ignored
        assertThat(decodeBytes(BOM, BOM, utf8("data: x\n\ndata: y\n\n"))).containsExactly(data("y"));
    }

    @Test
    void treatsAByteOrderMarkAfterTheStartAsContent() {
        assertThat(decodeBytes(utf8("data: x\n\n"), BOM, utf8("data: y\n\ndata: \uFEFFz\n\n")))
                .containsExactly(data("x"), data("\uFEFFz"));
    }

    @Test
    void keepsAPartialByteOrderMarkAsContent() {
        // EF BB then 'd' is not a BOM: the first field is U+FFFD "data", which is ignored
        assertThat(decodeBytes(new byte[] {BOM[0], BOM[1]}, utf8("data: x\n\ndata: y\n\n")))
                .containsExactly(data("y"));
    }

    @Test
    void treatsCrAtTheEndOfOneBufferAndLfAtTheStartOfTheNextAsOneLineEnd() {
        assertThat(decode("data: a\r", "\ndata: b\r", "\n\r", "\n")).containsExactly(data("a\nb"));
    }

    @Test
    void treatsCrFollowedByCrLfAsTwoLineEnds() {
        assertThat(decode("data: a\r", "\r", "\n")).containsExactly(data("a"));
    }

    @Test
    void endsLinesAtLoneCarriageReturns() {
        assertThat(decode("data: a\rdata: b\r\rdata: c\r\r")).containsExactly(data("a\nb"), data("c"));
    }

    @Test
    void treatsLfCrAsTwoLineEnds() {
        assertThat(decode("data: a\n\rdata: b\n\n")).containsExactly(data("a"), data("b"));
    }

    @Test
    void doesNotEndLinesAtUnicodeSeparatorsVerticalTabOrFormFeed() {
        assertThat(decode("data: a\u2028b\u2029c\u0085d\u000Be\u000Cf\n\n"))
                .containsExactly(data("a\u2028b\u2029c\u0085d\u000Be\u000Cf"));
    }

    @Test
    void appendsAnEmptyLineForADataFieldWithoutColon() {
        assertThat(decode("data\ndata: x\ndata\n\n")).containsExactly(data("\nx\n"));
    }

    @Test
    void stripsOneLeadingSpaceButNotTwo() {
        assertThat(decode("data:  x\n\ndata: y\n\ndata:z\n\ndata: \n\ndata:\tt\n\n"))
                .containsExactly(data(" x"), data("y"), data("z"), data(""), data("\tt"));
    }

    @Test
    void splitsFieldAndValueAtTheFirstColon() {
        assertThat(decode("data: a: b:c\nevent:x:y\n\n")).containsExactly(typed("x:y", "a: b:c"));
    }

    @Test
    void reportsRetryAndPutsItOnTheEventOfTheSameBlock() {
        assertThat(decode("retry: 5000\ndata: x\n\n"))
                .containsExactly(Duration.ofMillis(5000),
                        SseEvent.builder().data("x").retry(Duration.ofSeconds(5)).build());
    }

    @Test
    void reportsEveryValidRetryAndKeepsTheLastOneOnTheEvent() {
        assertThat(decode("retry: 1\nretry:2\ndata: x\n\n"))
                .containsExactly(Duration.ofMillis(1), Duration.ofMillis(2),
                        SseEvent.builder().data("x").retry(Duration.ofMillis(2)).build());
    }

    @Test
    void ignoresRetryThatIsNotOnlyAsciiDigits() {
        assertThat(decode("retry: 1a\nretry: -1\nretry:\nretry\nretry: 1.5\nretry:  100\nretry: ١\ndata: x\n\n"))
                .containsExactly(data("x"));
    }

    @Test
    void acceptsRetryUpToLongMaxMillisAndIgnoresLarger() {
        assertThat(decode("retry: 9223372036854775807\nretry: 9223372036854775808\ndata: x\n\n"))
                .containsExactly(Duration.ofMillis(Long.MAX_VALUE),
                        SseEvent.builder().data("x").retry(Duration.ofMillis(Long.MAX_VALUE)).build());
    }

    @Test
    void reportsRetryOfABlockWithoutDataButDoesNotCarryItToTheNextEvent() {
        assertThat(decode("retry: 5\n\ndata: x\n\n")).containsExactly(Duration.ofMillis(5), data("x"));
    }

    @Test
    void ignoresAnIdContainingNul() {
        assertThat(decode("id: 5\ndata: a\n\nid: 6\0\ndata: b\n\n"))
                .containsExactly(SseEvent.builder().id("5").data("a").build(),
                        SseEvent.builder().id("5").data("b").build());
    }

    @Test
    void keepsTheLastEventIdAcrossEvents() {
        Recorder recorder = new Recorder();
        SseDecoder decoder = new SseDecoder(recorder);

        feed(decoder, "id: 7\ndata: a\n\ndata: b\n\nid: 8\ndata: c\n\n");

        assertThat(recorder.calls).containsExactly(
                SseEvent.builder().id("7").data("a").build(),
                SseEvent.builder().id("7").data("b").build(),
                SseEvent.builder().id("8").data("c").build());
        assertThat(decoder.lastEventId()).isEqualTo("8");
    }

    @Test
    void resetsTheLastEventIdOnAnEmptyIdField() {
        assertThat(decode("id: 1\ndata: a\n\nid:\ndata: b\n\nid\ndata: c\n\n"))
                .containsExactly(SseEvent.builder().id("1").data("a").build(), data("b"), data("c"));
    }

    @Test
    void setsTheLastEventIdFromABlockWithoutData() {
        Recorder recorder = new Recorder();
        SseDecoder decoder = new SseDecoder(recorder);

        feed(decoder, "id: 3\n\n");
        assertThat(decoder.lastEventId()).isEqualTo("3");
        feed(decoder, "data: x\n\n");

        assertThat(recorder.calls).containsExactly(SseEvent.builder().id("3").data("x").build());
    }

    @Test
    void countsAnIdFieldFromItsBlankLine() {
        SseDecoder decoder = new SseDecoder(new Recorder());

        feed(decoder, "id: 9\ndata: x\n");
        assertThat(decoder.lastEventId()).isEmpty();
        feed(decoder, "\n");
        assertThat(decoder.lastEventId()).isEqualTo("9");
    }

    @Test
    void dispatchesNothingForABlockWithoutDataButResetsTheType() {
        assertThat(decode("event: ignored\n\ndata: x\n\n")).containsExactly(data("x"));
    }

    @Test
    void resetsTheTypeAfterEachEvent() {
        assertThat(decode("event: add\ndata: 1\n\ndata: 2\n\n")).containsExactly(typed("add", "1"), data("2"));
    }

    @Test
    void readsAnEmptyTypeAsTheDefault() {
        assertThat(decode("event:\ndata: x\n\nevent\ndata: y\n\n")).containsExactly(data("x"), data("y"));
    }

    @Test
    void ignoresUnknownFieldsAndComparesNamesLiterally() {
        assertThat(decode("foo: bar\nData: y\nDATA: z\n data: w\ndata : v\ndata: x\nEvent: e\n\n"))
                .containsExactly(data("x"));
    }

    @Test
    void reportsCommentsWithoutColonAndOneLeadingSpace() {
        assertThat(decode(": ping\n:\n:  two spaces\n:no space\n: a: b\ndata: x\n\n")).containsExactly(
                new Comment("ping"), new Comment(""), new Comment(" two spaces"), new Comment("no space"),
                new Comment("a: b"), data("x"));
    }

    @Test
    void doesNotDispatchAnEventThatTheStreamEndsBefore() {
        assertThat(decode("data: x\n")).isEmpty();
        assertThat(decode("data: x")).isEmpty();
        assertThat(decode("data: x\r")).isEmpty();
    }

    @Test
    void decodesMultiByteCharactersSplitAcrossBuffers() {
        byte[] bytes = utf8("data: é日本😀\n\n");
        for (int split = 0; split <= bytes.length; split++) {
            byte[] head = Arrays.copyOfRange(bytes, 0, split);
            byte[] tail = Arrays.copyOfRange(bytes, split, bytes.length);

            assertThat(decodeBytes(head, tail)).as("split at %d", split).containsExactly(data("é日本😀"));
        }
    }

    @Test
    void replacesMalformedUtf8WithReplacementCharacters() {
        byte[] malformed = {'d', 'a', 't', 'a', ':', ' ', 'a', (byte) 0xFF, 'b', (byte) 0xE6, (byte) 0x97, '\n',
            '\n'};

        assertThat(decodeBytes(malformed)).containsExactly(data("a\uFFFDb\uFFFD"));
    }

    @Test
    void consumesAllReadableBytesAndLeavesTheBufferToTheCaller() {
        SseDecoder decoder = new SseDecoder(new Recorder());
        ByteBuf in = Unpooled.copiedBuffer("data: x\n\ndata: partial", StandardCharsets.UTF_8);
        try {
            decoder.decode(in);

            assertThat(in.isReadable()).isFalse();
            assertThat(in.refCnt()).isEqualTo(1);
        } finally {
            in.release();
        }
    }

    @Test
    void acceptsALineOfExactlyTheLimit() {
        assertThat(decode(8, "data: 12\n\n")).containsExactly(data("12"));
    }

    @Test
    void refusesALineOverTheLimit() {
        assertThatExceptionOfType(TooLongFrameException.class)
                .isThrownBy(() -> decode(8, "data: 123\n\n"))
                .withMessage("event stream line must be at most 8 bytes, was 9 bytes; "
                        + "skipping the rest of it and of its event");
    }

    @Test
    void refusesALineThatGrowsOverTheLimitAcrossBuffers() {
        SseDecoder decoder = new SseDecoder(new Recorder(), 8);
        feed(decoder, "data: 1");

        assertThatExceptionOfType(TooLongFrameException.class)
                .isThrownBy(() -> feed(decoder, "234"))
                .withMessageStartingWith("event stream line must be at most 8 bytes, was at least 10 bytes");
    }

    @Test
    void refusesAnOversizedLineByDefaultAtOneMebibyte() {
        String ok = "data:" + "x".repeat(SseDecoder.DEFAULT_MAX_LINE_BYTES - 5) + "\n\n";
        String tooLong = "data:" + "x".repeat(SseDecoder.DEFAULT_MAX_LINE_BYTES - 4) + "\n\n";

        assertThat(decode(ok)).hasSize(1);
        assertThatExceptionOfType(TooLongFrameException.class).isThrownBy(() -> decode(tooLong));
    }

    @Test
    void skipsTheRestOfATooLongLineAndItsEventThenGoesOn() {
        Recorder recorder = new Recorder();
        SseDecoder decoder = new SseDecoder(recorder, 8);
        ByteBuf in = Unpooled.copiedBuffer(
                "data: a\ndata: 123456789\ndata: b\nid: 1\n\ndata: ok\n\n", StandardCharsets.UTF_8);
        try {
            assertThatExceptionOfType(TooLongFrameException.class).isThrownBy(() -> decoder.decode(in));
            assertThat(in.readerIndex()).isEqualTo("data: a\ndata: 12".length() + 1);

            decoder.decode(in);

            assertThat(in.isReadable()).isFalse();
            assertThat(recorder.calls).containsExactly(data("ok"));
            assertThat(decoder.lastEventId()).isEmpty();
        } finally {
            in.release();
        }
    }

    @Test
    void refusesANonPositiveLineLimit() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new SseDecoder(new Recorder(), 0))
                .withMessage("maxLineBytes must be >= 1, was 0");
    }

    static SseEvent data(String data) {
        return SseEvent.ofData(data);
    }

    static SseEvent typed(String type, String data) {
        return SseEvent.builder().type(type).data(data).build();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<Object> decode(String... chunks) {
        return decode(SseDecoder.DEFAULT_MAX_LINE_BYTES, chunks);
    }

    private static List<Object> decode(int maxLineBytes, String... chunks) {
        Recorder recorder = new Recorder();
        SseDecoder decoder = new SseDecoder(recorder, maxLineBytes);
        for (String chunk : chunks) {
            feed(decoder, chunk);
        }
        return recorder.calls;
    }

    private static List<Object> decodeBytes(byte[]... chunks) {
        Recorder recorder = new Recorder();
        SseDecoder decoder = new SseDecoder(recorder);
        for (byte[] chunk : chunks) {
            feed(decoder, chunk);
        }
        return recorder.calls;
    }

    private static void feed(SseDecoder decoder, String chunk) {
        feed(decoder, utf8(chunk));
    }

    static void feed(SseDecoder decoder, byte[] chunk) {
        ByteBuf in = Unpooled.wrappedBuffer(chunk);
        try {
            decoder.decode(in);
            assertThat(in.isReadable()).as("decode consumes every readable byte").isFalse();
        } finally {
            in.release();
        }
    }

    /** A comment the decoder reported. */
    record Comment(String text) {
    }

    /** Records what a decoder reports, in order: {@link SseEvent}s, {@link Comment}s and retry {@link Duration}s. */
    static final class Recorder implements SseDecoder.Listener {

        final List<Object> calls = new ArrayList<>();

        @Override
        public void onEvent(SseEvent event) {
            calls.add(event);
        }

        @Override
        public void onComment(String comment) {
            calls.add(new Comment(comment));
        }

        @Override
        public void onRetry(Duration retry) {
            calls.add(retry);
        }
    }
}
