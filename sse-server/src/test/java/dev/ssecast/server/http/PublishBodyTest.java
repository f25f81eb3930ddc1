package dev.ssecast.server.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PublishBodyTest {

    private static String text(byte... bytes) {
        return PublishBody.text(ByteBuffer.wrap(bytes), 1024);
    }

    @Test
    void decodesUtf8AndKeepsEveryLineBreakTheFinalOneToo() {
        String body = "a\r\nb\nc\rd\u2028e\u0085f\n";
        assertThat(text(body.getBytes(StandardCharsets.UTF_8))).isEqualTo(body);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"x|x", "x\\n|x\\n", "x\\r|x\\r", "x\\r\\n|x\\r\\n", "x\\n\\n|x\\n\\n",
            "\\n|\\n", "line1\\nline2\\n|line1\\nline2\\n"})
    void keepsAFinalLineBreakAsPublished(String in, String out) {
        assertThat(text(unescape(in).getBytes(StandardCharsets.UTF_8))).isEqualTo(unescape(out));
    }

    @Test
    void refusesMoreBytesThanTheLimitCountingBytesNotCharacters() {
        assertThat(PublishBody.text(ByteBuffer.wrap("\u00e9".repeat(512).getBytes(StandardCharsets.UTF_8)), 1024))
                .hasSize(512);
        ByteBuffer over = ByteBuffer.wrap("\u00e9".repeat(513).getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> PublishBody.text(over, 1024)).hasMessage("the data is over --max-event-bytes (1024 bytes), was 1026 bytes");
    }

    @Test
    void refusesAnEmptyBody() {
        assertThatThrownBy(() -> text()).hasMessageContaining("must not be empty");
    }

    @Test
    void refusesMalformedUtf8IncludingEncodedSurrogatesAndOverlongForms() {
        for (byte[] bad : new byte[][] {{(byte) 0xC3}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}}) {
            assertThatThrownBy(() -> text(bad)).hasMessage("the body must be UTF-8 text");
        }
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n");
    }
}
