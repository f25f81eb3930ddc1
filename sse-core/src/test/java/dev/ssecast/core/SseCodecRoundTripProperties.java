package dev.ssecast.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssecast.core.SseDecoderTest.Comment;
import dev.ssecast.core.SseDecoderTest.Recorder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.arbitraries.ListArbitrary;

/**
 * Encoding then decoding gives the event back, however the bytes are split into buffers. The wire cannot tell
 * CRLF or a lone CR from LF inside data, so data comes back with its line ends made LF.
 */
class SseCodecRoundTripProperties {

    /** The format's line breaks, and characters that other definitions of "line" break at but this one must not. */
    private static final String[] BREAKS_AND_LOOKALIKES = {
        "\r", "\n", "\r\n", "\u2028", "\u2029", "\u0085", "\u000B", "\u000C"};

    @Property
    void decodesAnEncodedEventSplitAtEveryBoundary(@ForAll("dispatchableEvents") SseEvent event,
                                                   @ForAll("lineEnds") String lineEnd) {
        byte[] bytes = withLineEnds(encode(List.of(event)), lineEnd);
        SseEvent decoded = event.toBuilder().data(canonicalLineEnds(event.data())).build();
        List<Object> expected = event.retry() == null ? List.of(decoded) : List.of(event.retry(), decoded);

        for (int split = 0; split <= bytes.length; split++) {
            assertThat(decodeSplit(bytes, split).calls).as("split at %d", split).isEqualTo(expected);
        }
        assertThat(decodeByteByByte(bytes).calls).as("one byte at a time").isEqualTo(expected);
    }

    @Property(tries = 300)
    void decodesAStreamOfEventsSplitAtEveryBoundary(@ForAll("streams") List<SseEvent> events,
                                                    @ForAll("lineEnds") String lineEnd) {
        byte[] bytes = withLineEnds(encode(events), lineEnd);
        List<Object> expected = new ArrayList<>();
        String lastEventId = expectedCalls(events, expected);

        for (int split = 0; split <= bytes.length; split++) {
            Decoded decoded = decodeSplit(bytes, split);
            assertThat(decoded.calls).as("split at %d", split).isEqualTo(expected);
            assertThat(decoded.decoder.lastEventId()).isEqualTo(lastEventId);
        }
        Decoded byteByByte = decodeByteByByte(bytes);
        assertThat(byteByByte.calls).as("one byte at a time").isEqualTo(expected);
        assertThat(byteByByte.decoder.lastEventId()).isEqualTo(lastEventId);
    }

    /**
     * The line end the stream is written with: the encoder's LF, or CRLF or CR as another server might write, so
     * that a CR at the end of one buffer and an LF at the start of the next are put to the test.
     */
    @Provide
    Arbitrary<String> lineEnds() {
        return Arbitraries.of("\n", "\r\n", "\r");
    }

    @Provide
    Arbitrary<SseEvent> dispatchableEvents() {
        return Combinators.combine(
                        text(false, false).ofMinSize(1).ofMaxSize(12).map(SseCodecRoundTripProperties::join)
                                .injectNull(0.4),
                        text(true, false).ofMinSize(1).ofMaxSize(12).map(SseCodecRoundTripProperties::join)
                                .injectNull(0.4),
                        multiLineText(),
                        retries())
                .as((id, type, data, retry) -> SseEvent.builder().id(id).type(type).data(data).retry(retry).build());
    }

    /** Up to five events of any kind: some without data (never dispatched), empty ids, comments. */
    @Provide
    Arbitrary<List<SseEvent>> streams() {
        Arbitrary<String> ids = Arbitraries.oneOf(
                Arbitraries.just(""),
                text(false, false).ofMinSize(1).ofMaxSize(6).map(SseCodecRoundTripProperties::join));
        Arbitrary<String> types = text(true, false).ofMinSize(1).ofMaxSize(6)
                .map(SseCodecRoundTripProperties::join);
        Arbitrary<SseEvent> events = Combinators.combine(
                        ids.injectNull(0.5),
                        types.injectNull(0.6),
                        multiLineText().injectNull(0.3),
                        retries(),
                        multiLineText().injectNull(0.7))
                .as((id, type, data, retry, comment) -> id == null && type == null && data == null && retry == null
                        && comment == null
                        ? null
                        : SseEvent.builder().id(id).type(type).data(data).retry(retry).comment(comment).build())
                .filter(Objects::nonNull);
        return events.list().ofMinSize(1).ofMaxSize(5);
    }

    private static Arbitrary<Duration> retries() {
        return Arbitraries.longs().between(0, 1_000_000_000L).map(Duration::ofMillis).injectNull(0.5);
    }

    /** Text of any code points, astral ones included, mixed with CR, LF, CRLF and line-break lookalikes. */
    private static Arbitrary<String> multiLineText() {
        return Arbitraries.frequencyOf(
                        Tuple.of(4, codePoints(true, true).map(Character::toString)),
                        Tuple.of(1, Arbitraries.of(BREAKS_AND_LOOKALIKES)))
                .list().ofMaxSize(30)
                .map(SseCodecRoundTripProperties::join);
    }

    /** Lists of single code points, each as a string. */
    private static ListArbitrary<String> text(boolean allowNul, boolean allowCrLf) {
        return codePoints(allowNul, allowCrLf).map(Character::toString).list();
    }

    /** Scalar values, mostly printable ASCII, some controls, BMP and astral. */
    private static Arbitrary<Integer> codePoints(boolean allowNul, boolean allowCrLf) {
        Arbitrary<Integer> any = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0x20, 0x7E)),
                Tuple.of(1, Arbitraries.integers().between(0x00, 0x1F)),
                Tuple.of(2, Arbitraries.integers().between(0x80, 0xFFFF)),
                Tuple.of(2, Arbitraries.integers().between(0x10000, Character.MAX_CODE_POINT)));
        return any.filter(cp -> (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE)
                && (allowNul || cp != 0)
                && (allowCrLf || cp != '\r' && cp != '\n'));
    }

    private static String join(List<String> pieces) {
        return String.join("", pieces);
    }

    /** CRLF and lone CR become LF, by hand: the only line ends of the format, and nothing else. */
    static String canonicalLineEnds(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                sb.append('\n');
                if (i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                    i++;
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * What a spec-following receiver reports for these events, in order, into {@code expected}; returns the last
     * event id at the end.
     */
    private static String expectedCalls(List<SseEvent> events, List<Object> expected) {
        String lastEventId = "";
        for (SseEvent event : events) {
            if (event.comment() != null) {
                for (String line : canonicalLineEnds(event.comment()).split("\n", -1)) {
                    expected.add(new Comment(line));
                }
            }
            if (event.id() != null) {
                lastEventId = event.id();
            }
            if (event.retry() != null) {
                expected.add(event.retry());
            }
            if (event.data() != null) {
                expected.add(SseEvent.builder()
                        .id(lastEventId.isEmpty() ? null : lastEventId)
                        .type(event.type())
                        .data(canonicalLineEnds(event.data()))
                        .retry(event.retry())
                        .build());
            }
        }
        return lastEventId;
    }

    /** Encodes the events into one stream, checking encodedLength against every event's bytes. */
    private static byte[] encode(List<SseEvent> events) {
        ByteBuf out = Unpooled.buffer();
        try {
            for (SseEvent event : events) {
                int before = out.writerIndex();
                SseEncoder.encode(event, out);
                assertThat(out.writerIndex() - before).as("encodedLength of %s", event)
                        .isEqualTo(SseEncoder.encodedLength(event));
            }
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /**
     * Rewrites every line end of an encoder's stream: each LF byte in it is one, since data and comment line breaks
     * became separate lines and no byte of a multi-byte UTF-8 sequence is below 0x80.
     */
    private static byte[] withLineEnds(byte[] encoded, String lineEnd) {
        if (lineEnd.equals("\n")) {
            return encoded;
        }
        byte[] end = lineEnd.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length * 2);
        for (byte b : encoded) {
            assertThat(b).as("encoder output holds no CR").isNotEqualTo((byte) '\r');
            if (b == '\n') {
                out.writeBytes(end);
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    private static Decoded decodeSplit(byte[] bytes, int split) {
        Decoded decoded = new Decoded();
        SseDecoderTest.feed(decoded.decoder, Arrays.copyOfRange(bytes, 0, split));
        SseDecoderTest.feed(decoded.decoder, Arrays.copyOfRange(bytes, split, bytes.length));
        return decoded;
    }

    private static Decoded decodeByteByByte(byte[] bytes) {
        Decoded decoded = new Decoded();
        for (byte b : bytes) {
            SseDecoderTest.feed(decoded.decoder, new byte[] {b});
        }
        return decoded;
    }

    /** A decoder with the recorder it reports to. */
    private static final class Decoded {

        final List<Object> calls;
        final SseDecoder decoder;

        Decoded() {
            Recorder recorder = new Recorder();
            this.calls = recorder.calls;
            this.decoder = new SseDecoder(recorder);
        }
    }
}
