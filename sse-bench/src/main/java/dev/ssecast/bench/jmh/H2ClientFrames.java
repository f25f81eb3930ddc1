package dev.ssecast.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * The bytes an HTTP/2 client sends to open {@code streams} event streams on one connection, encoded once by Netty's
 * {@link DefaultHttp2FrameWriter}: the preface, a SETTINGS frame whose {@code SETTINGS_INITIAL_WINDOW_SIZE} is
 * 2^31-1 (so no stream's send window runs out in a run), the ACK of the server's SETTINGS, a connection
 * WINDOW_UPDATE up to 2^31-1, then one HEADERS frame with {@code END_STREAM} per stream ({@code GET
 * /events?topic=bench}, {@code accept: text/event-stream}) on stream ids 1, 3, 5, ... The HPACK encoder's state is
 * the same for every connection that is fed these bytes from the start, so one encoding serves all of them.
 *
 * <p>Immutable once built. {@link #opening()} returns a new heap buffer each call, which the caller owns.
 */
final class H2ClientFrames {
    /** The largest flow-control window (RFC 9113 §6.9.1). */
    static final int MAX_WINDOW = Integer.MAX_VALUE;
    /** The connection window every connection starts with (RFC 9113 §6.9.2). */
    private static final int INITIAL_CONNECTION_WINDOW = 65_535;
    private static final int WINDOW_UPDATE_LENGTH = 4;
    private static final byte WINDOW_UPDATE_TYPE = 0x8;

    private final byte[] opening;

    /** The bytes that open {@code streams} streams on a new connection. */
    H2ClientFrames(int streams) {
        EmbeddedChannel encoder = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
        ChannelHandlerContext ctx = encoder.pipeline().firstContext();
        ByteBuf out = Unpooled.buffer();
        try {
            ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
            out.writeBytes(preface);
            preface.release();
            writer.writeSettings(ctx, new Http2Settings().initialWindowSize(MAX_WINDOW), ctx.newPromise());
            writer.writeSettingsAck(ctx, ctx.newPromise());
            writer.writeWindowUpdate(ctx, 0, MAX_WINDOW - INITIAL_CONNECTION_WINDOW, ctx.newPromise());
            Http2Headers request = new DefaultHttp2Headers()
                    .method("GET").scheme("http").authority("bench").path("/events?topic=" + BenchFrames.TOPIC)
                    .add("accept", "text/event-stream");
            for (int i = 0; i < streams; i++) {
                writer.writeHeaders(ctx, 1 + 2 * i, request, 0, true, ctx.newPromise());
            }
            encoder.flush();
            ByteBuf written;
            while ((written = encoder.readOutbound()) != null) {
                out.writeBytes(written);
                written.release();
            }
            opening = new byte[out.readableBytes()];
            out.readBytes(opening);
        } finally {
            out.release();
            writer.close();
            encoder.finishAndReleaseAll();
        }
    }

    /** A new buffer of the opening bytes; the caller owns it (firing it inbound hands it to the codec). */
    ByteBuf opening() {
        return Unpooled.wrappedBuffer(opening);
    }

    /**
     * Writes to {@code out} a WINDOW_UPDATE frame of {@code increment} for {@code streamId} (0: the connection), as
     * RFC 9113 §6.9 lays it out: a 9-byte header (length 4, type 0x8, no flags, the stream id), then the increment.
     * Encoded here, not by a frame writer, so that any thread can build one without a channel.
     */
    static void writeWindowUpdate(ByteBuf out, int streamId, int increment) {
        out.writeMedium(WINDOW_UPDATE_LENGTH).writeByte(WINDOW_UPDATE_TYPE).writeByte(0)
                .writeInt(streamId).writeInt(increment);
    }
}
