package dev.ssecast.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Counts the events of one SSE body, allocating nothing per event: the {@code id} and {@code data} lines of each
 * event, whatever framing carried the bytes (HTTP/1.1 chunks or a plain body in {@link SseStreamReader}, HTTP/2
 * DATA frames in {@link H2StreamReader}), so every protocol's deliveries and latencies are counted by this one
 * parser. One instance per stream, confined to its event loop.
 *
 * <p>From each event it takes the id's first two numeric parts, and from the data the first two numbers: the
 * publisher's sequence number and publish time ({@link System#nanoTime()}, which on Linux is one monotonic clock
 * for every process of the machine). Comments, {@code retry} and {@code event} lines are read past. Line ends may
 * be LF or CRLF.
 */
final class SseEventCounter {
    private enum Field { NAME, ID, DATA, SKIP }

    private final StreamAccount account;
    private final Tally tally;
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

    SseEventCounter(StreamAccount account, Tally tally) {
        this.account = account;
        this.tally = tally;
    }

    /**
     * Parses {@code length} body bytes from {@code in}'s reader index as SSE lines, in one pass without per-byte
     * bounds checks, and skips them. The caller keeps ownership of {@code in}.
     */
    void parse(ByteBuf in, int length) {
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
}
