package dev.ssecast.core.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads what a hub wrote to an {@link EmbeddedChannel}: each outbound buffer as text, released as it is read. */
final class Wire {
    private Wire() {
    }

    /** Runs the channel's pending tasks (the hub's hand-offs), then returns and releases each written buffer. */
    static List<String> frames(EmbeddedChannel channel) {
        channel.runPendingTasks();
        List<String> frames = new ArrayList<>();
        ByteBuf frame;
        while ((frame = channel.readOutbound()) != null) {
            try {
                frames.add(frame.toString(StandardCharsets.UTF_8));
            } finally {
                frame.release();
            }
        }
        return frames;
    }

    /** The payload of a chunk {@code <hex>\r\n<payload>\r\n}, checking the framing on the way. */
    static String chunkPayload(String chunk) {
        int crlf = chunk.indexOf("\r\n");
        int length = Integer.parseInt(chunk.substring(0, crlf), 16);
        String payload = chunk.substring(crlf + 2);
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        if (bytes.length != length + 2 || !payload.endsWith("\r\n")) {
            throw new AssertionError("chunk header says " + length + " bytes, chunk is: " + chunk);
        }
        return payload.substring(0, payload.length() - 2);
    }

    /** The payloads of the frames written since the last read, concatenated. */
    static String stream(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        for (String frame : frames(channel)) {
            out.append(chunkPayload(frame));
        }
        return out.toString();
    }
}
