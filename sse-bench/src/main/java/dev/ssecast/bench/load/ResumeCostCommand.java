package dev.ssecast.bench.load;

import dev.ssecast.core.PublishResult;
import dev.ssecast.core.SseBroadcaster;
import dev.ssecast.core.SseEvent;
import dev.ssecast.core.SseHandler;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code ssecast-bench resume-cost}: in one process, fills a broadcaster's replay ring with E events of S bytes,
 * then opens N clients that resume from before the first of them and never read, and reports the direct and heap
 * memory each resuming client costs the server, measured after full GCs against the same process before they came.
 *
 * <p>The memory a client costs is what its resume pins while the client does not read: on {@code tcp} (loopback)
 * the server's outbound buffer fills once the kernel's socket buffers are full; on {@code local} (the in-VM
 * transport) a write is moved straight into the peer's inbound queue whether it reads or not, so every stream
 * is handed its whole replay and the queue holds what the server wrote.
 */
@Command(name = "resume-cost", mixinStandardHelpOptions = true,
        description = "Memory per resuming client: E retained events, N clients resuming from before them that "
                + "never read; direct and heap bytes per client, in one process.")
final class ResumeCostCommand implements Callable<Integer> {
    enum Transport { local, tcp }

    /** Memory of this process at one point, after full GCs. -1: not reported by this JVM or Netty. */
    record Memory(long pooledDirectBytes, long nettyDirectBytes, long jdkDirectBytes, long heapBytes,
                  long kernelTcpBytes) {
    }

    /**
     * What one resuming client costs: the difference over the clients, divided by them. The total is direct
     * memory (Netty's counter of all its direct buffers, pooled or not; the JDK's direct buffer pool when Netty
     * does not count) plus heap; the kernel's socket buffers are beside it, not in it.
     */
    record PerClient(double pooledDirectBytes, double nettyDirectBytes, double jdkDirectBytes, double heapBytes,
                     double totalBytes, double kernelTcpBytes) {
    }

    /** A whole run. {@code replayedBytes} is what each client was owed: the encoded events after its id. */
    record Run(String label, String date, String machine, String jdk, String command, String transport,
               int events, int eventBytes, int clients, long replayedBytes, int openStreams, int unwritable,
               long deliveries, Memory before, Memory after, PerClient perClient) {
    }

    @Option(names = "--events", defaultValue = "40", description = "Events retained (default: ${DEFAULT-VALUE})")
    int events;

    @Option(names = "--event-bytes", defaultValue = "1048576",
            description = "Data bytes of each event (default: ${DEFAULT-VALUE})")
    int eventBytes;

    @Option(names = "--clients", defaultValue = "30", description = "Resuming clients (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--transport", defaultValue = "local",
            description = "local (in-VM) or tcp (loopback, NIO) (default: ${DEFAULT-VALUE})")
    Transport transport;

    @Option(names = "--timeout", defaultValue = "120",
            description = "Seconds to wait for the events to be retained and the clients to be served "
                    + "(default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--label", defaultValue = "ssecast", description = "Name of the run in the JSON")
    String label;

    @Option(names = "--json", description = "Write the run as JSON to this file")
    Path json;

    @Override
    public Integer call() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("resume-cost", true),
                transport == Transport.local ? LocalIoHandler.newFactory() : NioIoHandler.newFactory());
        List<Channel> peers = new ArrayList<>();
        long encoded = (long) eventBytes + 64; // data, "data: ", the id line and blank lines, generously
        try (SseBroadcaster broadcaster = SseBroadcaster.builder()
                .replay(Math.max(100, events + 1), Math.max(128L << 20, 2 * (events + 1) * encoded))
                .slowConsumer(4L << 20, Duration.ofMinutes(10)) // never close a stream while it is measured
                .build()) {
            Queue<Channel> streams = new ConcurrentLinkedQueue<>();
            Channel server = serve(group, broadcaster, streams);
            // The clients resume after this small first event, so each is owed all E events.
            String after = require(broadcaster.publish("bench", SseEvent.ofData("resume-cost start")));
            String data = "x".repeat(eventBytes);
            for (int i = 0; i < events; i++) {
                require(broadcaster.publish("bench", SseEvent.ofData(data)));
            }
            await(() -> broadcaster.eventsPublished() >= events + 1L, "the events to be ticked into the ring");
            data = null;
            Memory before = measure();
            long deliveriesBefore = broadcaster.deliveries();

            Bootstrap client = new Bootstrap().group(group)
                    .channel(transport == Transport.local ? LocalChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false) // never reads: what the server writes stays pending
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            // no handler: nothing reads, nothing decodes
                        }
                    });
            byte[] request = ("GET /events?topic=bench HTTP/1.1\r\nHost: resume-cost\r\n"
                    + "Accept: text/event-stream\r\nLast-Event-ID: " + after + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < clients; i++) {
                Channel peer = client.connect(server.localAddress()).sync().channel();
                peer.writeAndFlush(Unpooled.wrappedBuffer(request)).sync();
                peers.add(peer);
            }
            // Served: every stream open, and each either handed its whole replay or stuck behind a full outbound.
            await(() -> broadcaster.openStreams() == clients
                    && (broadcaster.deliveries() - deliveriesBefore >= (long) clients * events
                    || unwritable(streams) == clients), "the clients to be served their resumes");
            for (EventExecutor loop : group) {
                loop.submit(() -> { }).sync(); // what the tick handed to the loops has been written
            }
            Memory afterClients = measure();
            Run run = new Run(label, OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString(),
                    Reports.machine(), System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                    command(), transport.name(), events, eventBytes, clients, events * encodedLength(eventBytes),
                    broadcaster.openStreams(), unwritable(streams), broadcaster.deliveries() - deliveriesBefore,
                    before, afterClients, perClient(before, afterClients, clients));
            print(run);
            if (json != null) {
                if (json.toAbsolutePath().getParent() != null) {
                    Files.createDirectories(json.toAbsolutePath().getParent());
                }
                Files.writeString(json, Reports.GSON.toJson(run));
                System.out.println("wrote " + json);
            }
            return 0;
        } finally {
            for (Channel peer : peers) {
                peer.close().syncUninterruptibly();
            }
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private Channel serve(EventLoopGroup group, SseBroadcaster broadcaster, Queue<Channel> streams)
            throws InterruptedException {
        SseHandler handler = SseHandler.builder(broadcaster).matching(r -> r.uri().startsWith("/events")).build();
        SocketAddress address = transport == Transport.local
                ? new LocalAddress("ssecast-resume-cost-" + ProcessHandle.current().pid())
                : new InetSocketAddress("127.0.0.1", 0);
        return new ServerBootstrap().group(group)
                .channel(transport == Transport.local ? LocalServerChannel.class : NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), handler);
                        streams.add(ch);
                    }
                })
                .bind(address).sync().channel();
    }

    private static String require(PublishResult result) {
        if (!result.isAccepted()) {
            throw new IllegalStateException("publish refused: " + result);
        }
        return result.id();
    }

    private static int unwritable(Queue<Channel> streams) {
        int count = 0;
        for (Channel stream : streams) {
            if (!stream.isWritable()) {
                count++;
            }
        }
        return count;
    }

    /** Polls {@code done} every millisecond until it holds, or fails after the timeout. */
    private void await(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeoutSeconds + "s waiting for " + what);
            }
            Thread.sleep(1); // a poll interval under a bound, not a synchronisation
        }
    }

    /**
     * Memory after full GCs, repeated until the heap in use and the JDK's direct buffers (freed by their cleaner
     * after a GC) are stable within 64 KiB, at most ten times.
     */
    private static Memory measure() {
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
        long heap = -1;
        long jdk = -1;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long nowHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long nowJdk = direct.getMemoryUsed();
            boolean stable = i >= 2 && Math.abs(nowHeap - heap) < 64 << 10 && Math.abs(nowJdk - jdk) < 64 << 10;
            heap = nowHeap;
            jdk = nowJdk;
            if (stable) {
                break;
            }
        }
        return new Memory(PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory(),
                PlatformDependent.usedDirectMemory(), jdk, heap, ProcStats.tcpSocketBytes());
    }

    private static PerClient perClient(Memory before, Memory after, int clients) {
        double pooled = (after.pooledDirectBytes() - before.pooledDirectBytes()) / (double) clients;
        double jdk = (after.jdkDirectBytes() - before.jdkDirectBytes()) / (double) clients;
        double netty = before.nettyDirectBytes() < 0 ? -1
                : (after.nettyDirectBytes() - before.nettyDirectBytes()) / (double) clients;
        double heap = (after.heapBytes() - before.heapBytes()) / (double) clients;
        double tcp = (after.kernelTcpBytes() - before.kernelTcpBytes()) / (double) clients;
        return new PerClient(pooled, netty, jdk, heap, (netty < 0 ? jdk : netty) + heap, tcp);
    }

    /** Encoded size of one of the events: {@code id: <16 digits>\n}, {@code data: ...\n}, {@code \n}. */
    private static long encodedLength(int dataBytes) {
        return "id: \n".length() + 16 + "data: \n".length() + dataBytes + 1;
    }

    private static String command() {
        return "ssecast-bench resume-cost " + String.join(" ", ProcessHandle.current().info().arguments()
                .map(args -> {
                    int at = List.of(args).indexOf("resume-cost");
                    return at < 0 ? List.of(args) : List.of(args).subList(at + 1, args.length);
                }).orElse(List.of()));
    }

    private static void print(Run run) {
        Memory b = run.before();
        Memory a = run.after();
        PerClient p = run.perClient();
        System.out.printf("%s: %d clients resuming %d events of %d bytes (%s transport); %d open, %d unwritable%n",
                run.label(), run.clients(), run.events(), run.eventBytes(), run.transport(), run.openStreams(),
                run.unwritable());
        System.out.printf("%-22s %14s %14s %14s%n", "", "before", "after", "per client");
        row("pooled direct (Netty)", b.pooledDirectBytes(), a.pooledDirectBytes(), p.pooledDirectBytes());
        row("JDK direct pool", b.jdkDirectBytes(), a.jdkDirectBytes(), p.jdkDirectBytes());
        row("Netty direct (all)", b.nettyDirectBytes(), a.nettyDirectBytes(), p.nettyDirectBytes());
        row("heap after GC", b.heapBytes(), a.heapBytes(), p.heapBytes());
        row("kernel TCP buffers", b.kernelTcpBytes(), a.kernelTcpBytes(), p.kernelTcpBytes());
        System.out.printf("%-22s %14s %14s %14.0f  (Netty direct + heap; owed %d bytes each)%n",
                "total per client", "", "", p.totalBytes(), run.replayedBytes());
    }

    private static void row(String name, long before, long after, double perClient) {
        System.out.printf("%-22s %14d %14d %14.0f%n", name, before, after, perClient);
    }
}
