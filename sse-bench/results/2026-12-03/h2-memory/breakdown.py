#!/usr/bin/env python3
"""Groups the class-histogram difference per stream (histogram-<p>-after.txt minus -before.txt) into what a stream
is made of. python3 breakdown.py [streams]"""
import re, sys
N = int(sys.argv[1]) if len(sys.argv) > 1 else 100000

def parse(path):
    rows = {}
    for line in open(path):
        f = line.split()
        if len(f) >= 4 and f[0].endswith(':'):
            a = rows.setdefault(f[3], [0, 0]); a[0] += int(f[1]); a[1] += int(f[2])
    return rows

def diff(p):
    b, a = parse('histogram-%s-before.txt' % p), parse('histogram-%s-after.txt' % p)
    return {k: (v[0] - b.get(k, [0, 0])[0], v[1] - b.get(k, [0, 0])[1]) for k, v in a.items()}

H2 = [
    ('HTTP/2 stream state in the connection (DefaultStream + PropertyMap, local and remote flow state, '
     'byte-distributor state + its child queue, Http2FrameCodec stream + its 2 events, active-stream set entry)',
     r'DefaultHttp2Connection\$DefaultStream|PropertyMap|RemoteFlowController\$FlowState|LocalFlowController\$DefaultState'
     r'|WeightedFairQueueByteDistributor\$State|DefaultPriorityQueue|PriorityQueueNode;|DefaultHttp2FrameStream'
     r'|Http2FrameStreamEvent|LinkedHashMap\$Entry'),
    ('stream maps and small arrays (Object[], int[]: the connection\'s stream maps, PropertyMap values, ArrayDeque)',
     r'^\[Ljava\.lang\.Object;$|^\[I$|java\.util\.ArrayDeque$'),
    ('child channel: Http2MultiplexHandlerStreamChannel, its unsafe, id, close promise, void promises',
     r'Http2MultiplexHandlerStreamChannel|Http2ChannelUnsafe$|Http2StreamChannelId|DefaultChannelPromise$'
     r'|VoidChannelPromise|AbstractHttp2StreamChannel\$\$Lambda'),
    ('child pipeline: DefaultChannelPipeline (AbstractHttp2StreamChannel$2), head, tail, H2StreamSink context, '
     'succeeded future', r'AbstractHttp2StreamChannel\$2|HeadContext|TailContext|DefaultChannelHandlerContext'
     r'|SucceededChannelFuture'),
    ('child config and its receive-buffer allocator and handle (AdaptiveRecvByteBufAllocator, HandleImpl, AdaptiveCalculator, MaxMessageHandle): buffer-size guessing for a channel that reads frames, not bytes',
     r'Http2StreamChannelConfig|AdaptiveRecvByteBufAllocator|AdaptiveCalculator|MaxMessageHandle'),
    ('ssecast: StreamSlot and the loop\'s per-stream arrays', r'dev\.ssecast|^\[J$|^\[Z$|ChannelHandlerContext;$'
     r'|Lio\.netty\.channel\.Channel;$'),
    ('harness: the list of opened streams (ConcurrentLinkedQueue node)', r'ConcurrentLinkedQueue\$Node'),
]
H1 = [
    ('in-VM transport, both ends (LocalChannel and SinkChannel, LocalUnsafe, inbound SpscLinkedQueue, '
     'LocalIoRegistration, lambdas, PreferHeapByteBufAllocator, peer address)',
     r'LocalChannel|SinkChannel|SpscLinkedQueue|LinkedQueueNode|LocalIoRegistration|IoRegistrationWrapper'
     r'|PreferHeap|LocalAddress|AtomicBoolean|HashMap\$Node$|PendingRegistrationPromise'),
    ('channel graph, both ends (pipeline, head, tail, one context, config, outbound buffer, id, close future, '
     'void promises, recv allocator, succeeded future)',
     r'DefaultChannelPipeline|HeadContext|TailContext|DefaultChannelHandlerContext|DefaultChannelConfig'
     r'|ChannelOutboundBuffer|DefaultChannelId|CloseFuture|VoidChannelPromise|AdaptiveRecvByteBufAllocator'
     r'|SucceededChannelFuture|^\[B$|^java\.lang\.String$'),
    ('ssecast: StreamSlot, the loop\'s per-stream arrays, the CONSUMES_ON_LOOP attribute',
     r'dev\.ssecast|^\[J$|^\[Z$|ChannelHandlerContext;$|Lio\.netty\.channel\.Channel;$|DefaultAttribute'),
    ('harness: accepted-channel queue, bootstrap maps', r'ConcurrentLinkedQueue\$Node|ConcurrentHashMap\$Node'),
]

for p, groups in (('h2', H2), ('http1', H1)):
    d = diff(p)
    total = sum(v[1] for v in d.values())
    print('### %s: %.0f B per stream (class histogram difference / %s streams)\n' % (p, total / N, format(N, ',')))
    print('| part | B per stream |\n|---|---:|')
    left = dict(d)
    for name, rx in groups:
        got = [k for k in left if re.search(rx, k)]
        print('| %s | %.0f |' % (name, sum(left[k][1] for k in got) / N))
        for k in got:
            del left[k]
    print('| the rest (per-connection share over h2: connection, codec, HPACK, peer; fixed) | %.0f |\n'
          % (sum(v[1] for v in left.values()) / N))
