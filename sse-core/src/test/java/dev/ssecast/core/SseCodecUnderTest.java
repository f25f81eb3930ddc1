package dev.ssecast.core;

import io.netty.buffer.ByteBuf;

/**
 * An encoder and a decoder factory as the round-trip checks see them, so that the same checks run on the real codec
 * (which must pass) and on deliberately broken ones (which must fail, see {@link SseCodecMutants}).
 */
interface SseCodecUnderTest {

    /** One stream's decoder; single thread, like {@link SseDecoder}. */
    interface StreamDecoder {

        /** As {@link SseDecoder#decode(ByteBuf)}: consumes every readable byte; the caller owns {@code in}. */
        void decode(ByteBuf in);

        /** As {@link SseDecoder#lastEventId()}. */
        String lastEventId();
    }

    /** Names the codec in failure reports. */
    String name();

    /** As {@link SseEncoder#encode(SseEvent, ByteBuf)}: the caller owns {@code out}. */
    void encode(SseEvent event, ByteBuf out);

    /** As {@link SseEncoder#encodedLength(SseEvent)}. */
    int encodedLength(SseEvent event);

    /** A new decoder for one stream, reporting to {@code listener}. */
    StreamDecoder newDecoder(SseDecoder.Listener listener);

    /** {@link SseEncoder} and {@link SseDecoder} themselves. */
    static SseCodecUnderTest real() {
        return new SseCodecUnderTest() {
            @Override
            public String name() {
                return "SseEncoder/SseDecoder";
            }

            @Override
            public void encode(SseEvent event, ByteBuf out) {
                SseEncoder.encode(event, out);
            }

            @Override
            public int encodedLength(SseEvent event) {
                return SseEncoder.encodedLength(event);
            }

            @Override
            public StreamDecoder newDecoder(SseDecoder.Listener listener) {
                SseDecoder decoder = new SseDecoder(listener);
                return new StreamDecoder() {
                    @Override
                    public void decode(ByteBuf in) {
                        decoder.decode(in);
                    }

                    @Override
                    public String lastEventId() {
                        return decoder.lastEventId();
                    }
                };
            }

            @Override
            public String toString() {
                return name();
            }
        };
    }
}
