package dev.ssecast.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssecast.core.SseDecoderTest.Comment;
import dev.ssecast.core.SseDecoderTest.Recorder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The codec's round-trip properties, over any {@link SseCodecUnderTest}: encoding then decoding gives the events
 * back, however the bytes are split into buffers and whichever line ends the stream is written with. The wire
 * cannot tell CRLF or a lone CR from LF inside data, so data comes back with its line ends made LF.
 *
 * <p>A run draws its cases from one seed ({@link SseGen}), checks each at every split point into two buffers and
 * one byte at a time, and stops at the first failing case; it then shrinks that case (see {@link SseShrinker}) and
 * returns both, with the seed to replay it.
 */
final class SseCodecRoundTrip {

    /** The seed a run uses unless {@code -Dssecast.seed=...} says otherwise. */
    static final long DEFAULT_SEED = 20261202L;

    /** How the stream's line ends are written: the encoder's LF, or as another server might write them. */
    enum LineEnds {
        LF, CRLF, CR,
        /** Each line end picked at random from LF, CRLF and CR, never a CR then an LF that would read as one CRLF. */
        MIXED
    }

    /** Events, written as one stream with these line ends; {@code mixSeed} picks them for {@link LineEnds#MIXED}. */
    record Case(List<SseEvent> events, LineEnds lineEnds, long mixSeed) {

        /** The bytes the decoder is fed. */
        byte[] wire(SseCodecUnderTest codec) {
            return withLineEnds(encode(codec, events), lineEnds, mixSeed);
        }

        @Override
        public String toString() {
            return events + " with " + lineEnds + " line ends";
        }
    }

    /** A case that failed and what it shrank to, each with its failure message. */
    record Failure(String property, SseCodecUnderTest codec, long seed, int attempt, Case original,
                   String originalMessage, Case shrunk, String shrunkMessage, int shrinkSteps) {

        String report() {
            return property + " failed for " + codec.name() + " at try " + attempt + " of seed " + seed
                    + " (replay with -Dssecast.seed=" + seed + ")\n"
                    + "shrunk in " + shrinkSteps + " steps to: " + shrunk + "\n"
                    + "  on the wire: " + wireOf(codec, shrunk) + "\n"
                    + "  " + shrunkMessage.replace("\n", "\n  ") + "\n"
                    + "original: " + original + "\n"
                    + "  " + originalMessage.replace("\n", "\n  ");
        }
    }

    private SseCodecRoundTrip() {
    }

    /** One dispatchable event per case, 1000 cases. */
    static Optional<Failure> singleEvents(SseCodecUnderTest codec, long seed) {
        return run("decodesAnEncodedEventSplitAtEveryBoundary", codec, seed, 1000,
                gen -> List.of(gen.dispatchableEvent()));
    }

    /** One to five events of any kind per case, 300 cases. */
    static Optional<Failure> streams(SseCodecUnderTest codec, long seed) {
        return run("decodesAStreamOfEventsSplitAtEveryBoundary", codec, seed, 300, SseGen::stream);
    }

    private static Optional<Failure> run(String property, SseCodecUnderTest codec, long seed, int tries,
                                         Function<SseGen, List<SseEvent>> events) {
        SseGen gen = new SseGen(seed);
        LineEnds[] lineEnds = LineEnds.values();
        for (int attempt = 1; attempt <= tries; attempt++) {
            Case c = new Case(events.apply(gen), lineEnds[attempt % lineEnds.length], gen.nextLong());
            String message = failureOf(codec, c);
            if (message != null) {
                SseShrinker.Result shrunk = SseShrinker.shrink(c, message, candidate -> failureOf(codec, candidate));
                return Optional.of(new Failure(property, codec, seed, attempt, c, message,
                        shrunk.smallest(), shrunk.message(), shrunk.steps()));
            }
        }
        return Optional.empty();
    }

    /** Returns why the codec fails the case, or null if it passes. */
    static String failureOf(SseCodecUnderTest codec, Case c) {
        try {
            checkRoundTrip(codec, c);
            return null;
        } catch (AssertionError | RuntimeException e) {
            return e.toString();
        }
    }

    private static void checkRoundTrip(SseCodecUnderTest codec, Case c) {
        byte[] bytes = c.wire(codec);
        List<Object> expected = new ArrayList<>();
        String lastEventId = expectedCalls(c.events(), expected);

        for (int split = 0; split <= bytes.length; split++) {
            Decoded decoded = new Decoded(codec);
            decoded.feed(bytes, 0, split);
            decoded.feed(bytes, split, bytes.length);
            assertThat(decoded.recorder.calls).as("split at %d", split).isEqualTo(expected);
            assertThat(decoded.decoder.lastEventId()).as("last event id, split at %d", split).isEqualTo(lastEventId);
        }
        Decoded byteByByte = new Decoded(codec);
        for (int i = 0; i < bytes.length; i++) {
            byteByByte.feed(bytes, i, i + 1);
        }
        assertThat(byteByByte.recorder.calls).as("one byte at a time").isEqualTo(expected);
        assertThat(byteByByte.decoder.lastEventId()).as("last event id, one byte at a time").isEqualTo(lastEventId);
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
    private static byte[] encode(SseCodecUnderTest codec, List<SseEvent> events) {
        ByteBuf out = Unpooled.buffer();
        try {
            for (SseEvent event : events) {
                int before = out.writerIndex();
                codec.encode(event, out);
                assertThat(out.writerIndex() - before).as("encodedLength of %s", event)
                        .isEqualTo(codec.encodedLength(event));
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
    private static byte[] withLineEnds(byte[] encoded, LineEnds lineEnds, long mixSeed) {
        if (lineEnds == LineEnds.LF) {
            return encoded;
        }
        SplittableRandom mix = new SplittableRandom(mixSeed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length * 2);
        boolean lastWasLoneCr = false;
        for (byte b : encoded) {
            assertThat(b).as("encoder output holds no CR").isNotEqualTo((byte) '\r');
            if (b != '\n') {
                out.write(b);
                lastWasLoneCr = false;
                continue;
            }
            LineEnds end = switch (lineEnds) {
                case MIXED -> lastWasLoneCr
                        ? mix.nextBoolean() ? LineEnds.CR : LineEnds.CRLF // an LF here would join the CR
                        : LineEnds.values()[mix.nextInt(3)];
                default -> lineEnds;
            };
            if (end != LineEnds.LF) {
                out.write('\r');
            }
            if (end != LineEnds.CR) {
                out.write('\n');
            }
            lastWasLoneCr = end == LineEnds.CR;
        }
        return out.toByteArray();
    }

    private static String wireOf(SseCodecUnderTest codec, Case c) {
        try {
            return escaped(c.wire(codec));
        } catch (AssertionError | RuntimeException e) {
            return "(cannot encode: " + e + ")";
        }
    }

    /** The bytes as UTF-8 in Java string syntax, line ends and other controls escaped. */
    private static String escaped(byte[] wire) {
        String s = new String(wire, StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(s.length() + 16).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c < 0x20 || c == 0x85 || c == 0x2028 || c == 0x2029 || c == '"' || c == '\\') {
                sb.append(String.format("\\u%04X", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /** A decoder with the recorder it reports to. */
    private static final class Decoded {

        final Recorder recorder = new Recorder();
        final SseCodecUnderTest.StreamDecoder decoder;

        Decoded(SseCodecUnderTest codec) {
            this.decoder = codec.newDecoder(recorder);
        }

        void feed(byte[] bytes, int from, int to) {
            ByteBuf in = Unpooled.wrappedBuffer(bytes, from, to - from);
            try {
                decoder.decode(in);
                assertThat(in.isReadable()).as("decode consumes every readable byte").isFalse();
            } finally {
                in.release();
            }
        }
    }
}
