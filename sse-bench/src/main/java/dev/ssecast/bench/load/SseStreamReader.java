package dev.ssecast.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;

/**
 * Reads one SSE response straight from the socket's bytes, allocating nothing per event: the status line and
 * headers, then HTTP/1.1 chunks (or a plain body), then the {@code id} and {@code data} lines of each event. One
 * instance per connection, confined to its event loop.
 *
 * <p>From each event it takes the id's first two numeric parts, and from the data the first two numbers: the
 * publisher's sequence number and publish time ({@link System#nanoTime()}, which on Linux is one monotonic clock
 * for every process of the machine). Comments, {@code retry} and {@code event} lines are read past. Line ends may
 * be LF or CRLF.
 */
final class SseStreamReader extends ChannelInboundHandlerAdapter {
    private static final int MAX_HEAD = 16 << 10;

    private enum State { HEAD, CHUNK_SIZE, CHUNK_EXTENSION, CHUNK_DATA, CHUNK_END, PLAIN, DONE }

    private enum Field { NAME, ID, DATA, SKIP }

    private final StreamAccount account;
    private final Tally tally;
    private final StringBuilder head = new StringBuilder();
    private State state = State.HEAD;
    private long chunkLeft;
    private boolean opened;

    private Field field = Field.NAME;
    private int nameLength;
    private final byte[] name = new byte[8];
    private boolean afterColon;
    private boolean lineEmpty = true;
    private int numbers;
    private long first = StreamAccount.NONE;
    private long second;
    private boolean inNumber;
    private long idMajor = StreamAccount.NONE;
    private long idMinor;
    private long seq = StreamAccount.NONE;
    private long sentNanos = StreamAccount.NONE;
    private boolean hasData;

    SseStreamReader(StreamAccount account, Tally tally) {
        this.account = account;
        this.tally = tally;
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

    /** Parses {@code length} body bytes as SSE lines, in one pass without per-byte bounds checks. */
    private void parse(ByteBuf in, int length) {
        in.forEachByte(in.readerIndex(), length, lines);
        in.skipBytes(length);
    }

    private final ByteProcessor lines = b -> {
        if (b == '\n') {
            endLine();
        } else if (b != '\r') {
            lineEmpty = false;
            parseByte(b);
        }
        return true;
    };

    private void parseByte(byte b) {
        switch (field) {
            case NAME:
                if (b == ':') {
                    field = fieldNamed();
                    afterColon = true;
                    numbers = 0;
                    inNumber = false;
                } else if (nameLength < name.length) {
                    name[nameLength++] = b;
                } else {
                    field = Field.SKIP;
                }
                break;
            case ID:
            case DATA:
                if (afterColon) {
                    afterColon = false;
                    if (b == ' ') {
                        return;
                    }
                }
                if (b >= '0' && b <= '9') {
                    if (!inNumber) {
                        inNumber = true;
                        numbers++;
                        if (numbers == 1) {
                            first = 0;
                        } else if (numbers == 2) {
                            second = 0;
                        }
                    }
                    if (numbers == 1) {
                        first = first * 10 + (b - '0');
                    } else if (numbers == 2) {
                        second = second * 10 + (b - '0');
                    }
                } else {
                    inNumber = false;
                }
                break;
            default:
                break;
        }
    }

    private Field fieldNamed() {
        if (nameLength == 2 && name[0] == 'i' && name[1] == 'd') {
            return Field.ID;
        }
        if (nameLength == 4 && name[0] == 'd' && name[1] == 'a' && name[2] == 't' && name[3] == 'a') {
            return Field.DATA;
        }
        return Field.SKIP;
    }

    private void endLine() {
        if (lineEmpty) {
            dispatch();
        } else if (field == Field.ID) {
            idMajor = numbers >= 1 ? first : StreamAccount.NONE;
            idMinor = numbers >= 2 ? second : 0;
        } else if (field == Field.DATA) {
            hasData = true;
            seq = numbers >= 1 ? first : StreamAccount.NONE;
            sentNanos = numbers >= 2 ? second : StreamAccount.NONE;
        }
        field = Field.NAME;
        nameLength = 0;
        lineEmpty = true;
    }

    private void dispatch() {
        if (!hasData) {
            return;
        }
        hasData = false;
        tally.deliveries.increment();
        long before = account.outOfOrder();
        long gapsBefore = account.gaps();
        boolean inStep = account.onEvent(idMajor, idMinor, seq);
        if (account.outOfOrder() != before) {
            tally.outOfOrder.increment();
        }
        if (account.gaps() != gapsBefore) {
            tally.gaps.add(account.gaps() - gapsBefore);
        }
        if (inStep) {
            tally.stepDeliveries.increment();
            if (sentNanos != StreamAccount.NONE) {
                tally.recordLatency(sentNanos, System.nanoTime());
            }
        }
        idMajor = StreamAccount.NONE;
        seq = StreamAccount.NONE;
        sentNanos = StreamAccount.NONE;
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
