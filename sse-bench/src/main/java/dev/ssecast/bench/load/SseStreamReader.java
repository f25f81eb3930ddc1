package dev.ssecast.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;

/**
 * Reads one SSE response straight from the socket's bytes, allocating nothing per event: the status line and
 * headers, then HTTP/1.1 chunks (or a plain body), whose bytes {@link SseEventCounter} counts as events. One
 * instance per connection, confined to its event loop.
 */
final class SseStreamReader extends ChannelInboundHandlerAdapter {
    private static final int MAX_HEAD = 16 << 10;

    private enum State { HEAD, CHUNK_SIZE, CHUNK_EXTENSION, CHUNK_DATA, CHUNK_END, PLAIN, DONE }

    private final StreamAccount account;
    private final Tally tally;
    private final SseEventCounter events;
    private final StringBuilder head = new StringBuilder();
    private State state = State.HEAD;
    private long chunkLeft;
    private boolean opened;

    SseStreamReader(StreamAccount account, Tally tally) {
        this.account = account;
        this.tally = tally;
        this.events = new SseEventCounter(account, tally);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof ByteBuf) {
                ByteBuf in = (ByteBuf) msg;
                tally.bytes.add(in.readableBytes());
                read(ctx, in);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        account.close();
        if (opened) {
            tally.closed.incrementAndGet();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void read(ChannelHandlerContext ctx, ByteBuf in) {
        while (in.isReadable()) {
            switch (state) {
                case HEAD:
                    readHead(ctx, in);
                    break;
                case CHUNK_SIZE: {
                    byte b = in.readByte();
                    int digit = Character.digit(b, 16);
                    if (digit >= 0) {
                        chunkLeft = chunkLeft * 16 + digit;
                    } else if (b == '\n') {
                        state = chunkLeft == 0 ? State.DONE : State.CHUNK_DATA;
                    } else if (b != '\r') {
                        state = State.CHUNK_EXTENSION;
                    }
                    break;
                }
                case CHUNK_EXTENSION:
                    if (in.readByte() == '\n') {
                        state = chunkLeft == 0 ? State.DONE : State.CHUNK_DATA;
                    }
                    break;
                case CHUNK_DATA: {
                    int n = (int) Math.min(chunkLeft, in.readableBytes());
                    parse(in, n);
                    chunkLeft -= n;
                    if (chunkLeft == 0) {
                        state = State.CHUNK_END;
                    }
                    break;
                }
                case CHUNK_END:
                    if (in.readByte() == '\n') {
                        state = State.CHUNK_SIZE;
                    }
                    break;
                case PLAIN:
                    parse(in, in.readableBytes());
                    break;
                default:
                    in.skipBytes(in.readableBytes());
                    ctx.close();
                    break;
            }
        }
    }

    private void readHead(ChannelHandlerContext ctx, ByteBuf in) {
        while (in.isReadable() && state == State.HEAD) {
            head.append((char) in.readByte());
            int n = head.length();
            if (n >= 4 && head.charAt(n - 1) == '\n' && head.charAt(n - 2) == '\r' && head.charAt(n - 3) == '\n') {
                String text = head.toString();
                if (!text.startsWith("HTTP/1.1 200") && !text.startsWith("HTTP/1.0 200")) {
                    tally.failed.incrementAndGet();
                    state = State.DONE;
                    ctx.close();
                    return;
                }
                opened = true;
                tally.opened.incrementAndGet();
                boolean chunked = text.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked");
                state = chunked ? State.CHUNK_SIZE : State.PLAIN;
                head.setLength(0);
            } else if (n > MAX_HEAD) {
                tally.failed.incrementAndGet();
                state = State.DONE;
                ctx.close();
            }
        }
    }

    private void parse(ByteBuf in, int length) {
        events.parse(in, length);
    }

    /** The status line and headers when the response was not a stream; for error messages. */
    String headSoFar() {
        return head.toString();
    }

    static byte[] request(String host, String pathAndQuery) {
        return ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: text/event-stream\r\n"
                + "Cache-Control: no-cache\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
