package dev.ssecast.core.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ChunkFramesTest {
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 16, 255, 256, 4095, 4096, 65535, 65536, 1 << 20, Integer.MAX_VALUE})
    void writesTheLengthInLowerCaseHexWithoutLeadingZeros(int length) {
        ByteBuf out = Unpooled.buffer();
        try {
            ChunkFrames.writeHeader(out, length);
            assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo(Integer.toHexString(length) + "\r\n");
            assertThat(ChunkFrames.headerLength(length)).isEqualTo(out.readableBytes());
        } finally {
            out.release();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 3000})
    void endsAStreamWithARetryChunkAndTheLastChunk(long retry) {
        ByteBuf goodbye = ChunkFrames.goodbye(UnpooledByteBufAllocator.DEFAULT, retry);
        try {
            String line = "retry: " + retry + "\n\n";
            assertThat(goodbye.toString(StandardCharsets.US_ASCII))
                    .isEqualTo(Integer.toHexString(line.length()) + "\r\n" + line + "\r\n0\r\n\r\n");
        } finally {
            goodbye.release();
        }
    }
}
