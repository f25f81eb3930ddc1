package dev.ssecast.core.internal;

import dev.ssecast.core.SseHistory;
import io.netty.buffer.ByteBufAllocator;

import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * Validated settings handed from the public builder to the hub. Values only; validation happens in the builder.
 *
 * @param tick            how often the tick thread drains publishes and fans out
 * @param heartbeat       longest silence on a stream before a comment frame is sent
 * @param replayEvents    replay ring capacity in events
 * @param replayBytes     replay ring capacity in encoded bytes
 * @param publishQueue    publishes accepted but not yet ticked, at most
 * @param firstId         first id of the built-in sequence; ignored when ids are supplied
 * @param suppliedIds     whether publishers supply ids (in increasing order) instead of the hub assigning them
 * @param writeBufferLow  low water mark of each stream's outbound buffer
 * @param writeBufferHigh high water mark of each stream's outbound buffer
 * @param maxQueuedBytes  a stream queuing more than this is closed as a slow consumer
 * @param maxUnwritable   a stream unwritable for longer than this is closed as a slow consumer
 * @param allocator       allocator of frames
 * @param tickObserver    receives each tick's duration in nanoseconds, on the tick thread
 * @param history         where resumes older than the ring are loaded from, or null
 */
public record HubSettings(Duration tick, Duration heartbeat, int replayEvents, long replayBytes, int publishQueue,
                          long firstId, boolean suppliedIds, int writeBufferLow, int writeBufferHigh,
                          long maxQueuedBytes, Duration maxUnwritable, ByteBufAllocator allocator,
                          LongConsumer tickObserver, SseHistory history) {
}
