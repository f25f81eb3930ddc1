package dev.ssecast.server.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The text of a published event from its bytes (a request body, a stream entry's {@code d}): strict UTF-8, at
 * least one byte, at most {@code --max-event-bytes}. The text goes to the encoder exactly as it is: its lines end at
 * CRLF, LF or CR only, the encoder writes one {@code data:} line each, and the receiver joins them with LF. So the
 * data arrives as published, except that CRLF and lone CR arrive as LF, and a final line break is kept
 * ({@code "a\n"} is {@code data: a} and {@code data:}, which the receiver joins back into {@code "a\n"}).
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
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(utf8.duplicate())
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the body must be UTF-8 text");
        }
    }
}
