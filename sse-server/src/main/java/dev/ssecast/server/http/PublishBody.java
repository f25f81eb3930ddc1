package dev.ssecast.server.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The text of a published event from its bytes (a request body, a stream entry's {@code d}): strict UTF-8, at
 * least one byte, at most {@code --max-event-bytes}. Its lines end at CRLF, LF
 * or CR only, so the text goes to the encoder as it is (the encoder splits exactly there, one {@code data:} line
 * each); only a final line end is dropped, because it ends the last line rather than starting an empty one
 * ({@code echo hello | curl --data-binary @-} publishes {@code hello}).
 */
final class PublishBody {
    private PublishBody() {
    }

    /**
     * Decodes the bytes of {@code utf8} from its position to its limit, without moving its position.
     *
     * @throws IllegalArgumentException with the 400's message when there are none, more than {@code maxBytes},
     *                                  or they are not UTF-8
     */
    static String text(ByteBuffer utf8, int maxBytes) {
        if (!utf8.hasRemaining()) {
            throw new IllegalArgumentException("the body is the event's data and must not be empty");
        }
        if (utf8.remaining() > maxBytes) {
            throw new IllegalArgumentException("the data is over --max-event-bytes (" + maxBytes + " bytes), was "
                    + utf8.remaining() + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(utf8.duplicate())
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the body must be UTF-8 text");
        }
        return withoutFinalLineEnd(text);
    }

    static String withoutFinalLineEnd(String text) {
        if (text.endsWith("\r\n")) {
            return text.substring(0, text.length() - 2);
        }
        if (text.endsWith("\n") || text.endsWith("\r")) {
            return text.substring(0, text.length() - 1);
        }
        return text;
    }
}
