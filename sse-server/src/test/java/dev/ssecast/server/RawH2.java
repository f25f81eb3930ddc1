package dev.ssecast.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/2 frames written by hand on a plain socket, for the inputs a well-behaved client library will not send:
 * floods of PING, SETTINGS, resets and CONTINUATION frames, provoked stream errors. Reads frames back as
 * {@link Frame}s. Not thread-safe.
 */
final class RawH2 implements AutoCloseable {
    static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7, WINDOW_UPDATE = 8,
            CONTINUATION = 9;
    static final int END_STREAM = 0x1, END_HEADERS = 0x4, ACK = 0x1;

    /** One frame read back. */
    record Frame(int type, int flags, int stream, byte[] payload, Http2Headers headers) {
        /** A GOAWAY's or RST_STREAM's error code. */
        long errorCode() {
            int at = type == GOAWAY ? 4 : 0;
            return ((payload[at] & 0xffL) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8)
                    | (payload[at + 3] & 0xff);
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final DefaultHttp2HeadersEncoder hpack = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersDecoder hpackIn = new DefaultHttp2HeadersDecoder(false);

    /** Connects and writes the connection preface and an empty SETTINGS frame. */
    RawH2(InetSocketAddress server) throws IOException {
        this(server, 0);
    }

    /** As {@link #RawH2(InetSocketAddress)}, with a receive buffer of {@code receiveBuffer} bytes (0: the default). */
    RawH2(InetSocketAddress server, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(server);
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        frame(SETTINGS, 0, 0, new byte[0]);
    }

    /** Writes one frame; buffered by the socket, not flushed by a syscall of its own beyond the write. */
    RawH2 frame(int type, int flags, int stream, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(9 + payload.length);
        frame.write(payload.length >>> 16);
        frame.write(payload.length >>> 8);
        frame.write(payload.length);
        frame.write(type);
        frame.write(flags);
        frame.write(stream >>> 24 & 0x7f);
        frame.write(stream >>> 16);
        frame.write(stream >>> 8);
        frame.write(stream);
        frame.write(payload, 0, payload.length);
        out.write(frame.toByteArray());
        return this;
    }

    /**
     * Writes a header block as one HEADERS frame and as many CONTINUATION frames as the default frame size
     * (16,384) needs; END_STREAM when {@code endStream}.
     */
    RawH2 headers(int stream, byte[] block, boolean endStream) throws IOException {
        int max = 16_384;
        int at = 0;
        do {
            int size = Math.min(max, block.length - at);
            byte[] fragment = java.util.Arrays.copyOfRange(block, at, at + size);
            boolean last = at + size == block.length;
            int flags = (last ? END_HEADERS : 0) | (at == 0 && endStream ? END_STREAM : 0);
            frame(at == 0 ? HEADERS : CONTINUATION, flags, stream, fragment);
            at += size;
        } while (at < block.length);
        return this;
    }

    /** The HPACK block of a request for {@code path} with {@code extra} headers (name, value...). */
    byte[] requestBlock(String method, String path, String... extra) {
        Http2Headers headers = new DefaultHttp2Headers().method(method).path(path).scheme("http")
                .authority("127.0.0.1");
        for (int i = 0; i < extra.length; i += 2) {
            headers.add(extra[i], extra[i + 1]);
        }
        ByteBuf block = Unpooled.buffer();
        try {
            hpack.configuration().maxHeaderListSize(0xFFFFFFFFL);
            hpack.encodeHeaders(0, headers, block);
            byte[] bytes = new byte[block.readableBytes()];
            block.readBytes(bytes);
            return bytes;
        } catch (Http2Exception e) {
            throw new IllegalStateException(e);
        } finally {
            block.release();
        }
    }

    /** A HEADERS frame's headers, as the server sent them. */
    Http2Headers headers(Frame frame) {
        return frame.headers();
    }

    private Http2Headers decode(int stream, byte[] block) {
        ByteBuf in = Unpooled.wrappedBuffer(block);
        try {
            return hpackIn.decodeHeaders(stream, in);
        } catch (Http2Exception e) {
            throw new IllegalStateException(e);
        } finally {
            in.release();
        }
    }

    /** The first frame on {@code stream} that is a HEADERS or RST_STREAM one, skipping others. */
    Frame awaitAnswer(int stream) throws IOException {
        for (Frame frame = read(); frame != null; frame = read()) {
            if (frame.stream() == stream && (frame.type() == HEADERS || frame.type() == RST_STREAM)) {
                return frame;
            }
        }
        throw new AssertionError("the connection closed before stream " + stream + " was answered");
    }

    static byte[] int32(long value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    /** The next frame, or null once the server has closed the connection (or reset it). */
    Frame read() throws IOException {
        try {
            int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            byte[] payload = new byte[length];
            in.readFully(payload);
            // Every HEADERS block is decoded as it comes, as HPACK's table needs (the server sends no CONTINUATION)
            Http2Headers headers = type == HEADERS ? decode(stream, payload) : null;
            return new Frame(type, flags, stream, payload, headers);
        } catch (EOFException | java.net.SocketException closed) {
            return null;
        }
    }

    /** Reads until a GOAWAY (returned) or the end of the connection (null), failing after the socket timeout. */
    Frame awaitGoAway() throws IOException {
        try {
            for (Frame frame = read(); frame != null; frame = read()) {
                if (frame.type() == GOAWAY) {
                    return frame;
                }
            }
            return null;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no GOAWAY and no close within the socket timeout", e);
        }
    }

    /** Reads to the end of the connection, true when the server closed it within the socket timeout. */
    boolean awaitClosed() throws IOException {
        try {
            while (read() != null) {
                // discard
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** Ends the connection with a TCP reset (RST), as a client that dies or a balancer that drops it would. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
