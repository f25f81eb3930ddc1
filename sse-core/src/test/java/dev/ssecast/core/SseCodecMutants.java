package dev.ssecast.core;

import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Deliberately broken codecs, each with a bug a real SSE codec has had, to prove that the round-trip properties
 * catch it ({@link SseCodecMutantsTest}). Each wraps the real codec and changes one thing.
 */
final class SseCodecMutants {

    private static final Pattern LEADING_SPACES = Pattern.compile("(?md)^ +"); // d: only LF ends a line

    private SseCodecMutants() {
    }

    /** An encoder that also breaks data lines at U+2028, as one that took JavaScript's idea of a line would. */
    static SseCodecUnderTest splittingDataOnLineSeparator() {
        return new Mutant("encoder splitting data on U+2028") {
            @Override
            public void encode(SseEvent event, ByteBuf out) {
                super.encode(split(event), out);
            }

            @Override
            public int encodedLength(SseEvent event) {
                return super.encodedLength(split(event));
            }

            private SseEvent split(SseEvent event) {
                return event.data() == null ? event : event.toBuilder().data(event.data().replace('\u2028', '\n'))
                        .build();
            }
        };
    }

    /**
     * A decoder that strips every space after a field's colon instead of one: it reports what the real one does,
     * with the leading spaces of each data line, of the type, the id and each comment removed.
     */
    static SseCodecUnderTest strippingEveryLeadingSpace() {
        return new Mutant("decoder stripping every leading space") {
            @Override
            public StreamDecoder newDecoder(SseDecoder.Listener listener) {
                StreamDecoder real = super.newDecoder(new SseDecoder.Listener() {
                    @Override
                    public void onEvent(SseEvent event) {
                        String type = event.type() == null ? null : strip(event.type());
                        String id = event.id() == null ? null : strip(event.id());
                        listener.onEvent(event.toBuilder()
                                .id(id == null || id.isEmpty() ? null : id)
                                .type(type == null || type.isEmpty() ? null : type)
                                .data(strip(event.data()))
                                .build());
                    }

                    @Override
                    public void onComment(String comment) {
                        listener.onComment(strip(comment));
                    }

                    @Override
                    public void onRetry(Duration retry) {
                        listener.onRetry(retry);
                    }
                });
                return new StreamDecoder() {
                    @Override
                    public void decode(ByteBuf in) {
                        real.decode(in);
                    }

                    @Override
                    public String lastEventId() {
                        return strip(real.lastEventId());
                    }
                };
            }

            private String strip(String value) {
                return LEADING_SPACES.matcher(value).replaceAll("");
            }
        };
    }

    /** A decoder that loses a CR ending a buffer, as one that waits for a possible LF and then forgets it would. */
    static SseCodecUnderTest droppingACarriageReturnThatEndsABuffer() {
        return new Mutant("decoder dropping a CR that ends a buffer") {
            @Override
            public StreamDecoder newDecoder(SseDecoder.Listener listener) {
                StreamDecoder real = super.newDecoder(listener);
                return new StreamDecoder() {
                    @Override
                    public void decode(ByteBuf in) {
                        if (in.isReadable() && in.getByte(in.writerIndex() - 1) == '\r') {
                            real.decode(in.slice(in.readerIndex(), in.readableBytes() - 1));
                            in.readerIndex(in.writerIndex());
                        } else {
                            real.decode(in);
                        }
                    }

                    @Override
                    public String lastEventId() {
                        return real.lastEventId();
                    }
                };
            }
        };
    }

    /** The real codec under another name; a mutant overrides what it breaks. */
    private static class Mutant implements SseCodecUnderTest {

        private final SseCodecUnderTest real = SseCodecUnderTest.real();
        private final String name;

        Mutant(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void encode(SseEvent event, ByteBuf out) {
            real.encode(event, out);
        }

        @Override
        public int encodedLength(SseEvent event) {
            return real.encodedLength(event);
        }

        @Override
        public StreamDecoder newDecoder(SseDecoder.Listener listener) {
            return real.newDecoder(listener);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
