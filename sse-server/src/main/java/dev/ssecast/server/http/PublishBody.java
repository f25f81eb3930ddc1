package dev.ssecast.server.http;

import io.netty.buffer.ByteBuf;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The text of a published event from a request body: strict UTF-8, at least one byte. Its lines end at CRLF, LF
 * or CR only, so the text goes to the encoder as it is (the encoder splits exactly there, one {@code data:} line
 * each); only a final line end is dropped, because it ends the last line rather than starting an empty one
 * ({@code echo hello | curl --data-binary @-} publishes {@code hello}).
 */
final class PublishBody {
    private PublishBody() {
    }

    /**
     * Decodes the readable bytes of {@code body}, which the caller keeps owning.
     *
     * @throws IllegalArgumentException with the 400's message when the body is empty or not UTF-8
     */
    static String text(ByteBuf body) {
        if (!body.isReadable()) {
            throw new IllegalArgumentException("the body is the event's data and must not be empty");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(body.nioBuffer())
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
