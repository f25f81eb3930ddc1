#!/usr/bin/env python3
"""Loops' CPU ns and allocated B per delivery by protocol, connection high water mark and distributor, from one
SinkFanOutBenchmark JSON (http1 rows repeat per h2 parameter: pooled). python3 table.py fanout.json"""
import json, statistics, sys
from collections import defaultdict

rows = defaultdict(lambda: defaultdict(list))
for r in json.load(open(sys.argv[1])):
    p = r['params']
    h2 = p['protocol'] == 'h2'
    key = (int(p['connections']), p['protocol'], int(p['h2ConnectionHighWaterMark']) if h2 else 0,
           p['h2Distributor'] if h2 else '')
    m = r['secondaryMetrics']
    flat = lambda name: [x for fork in m[name]['rawData'] for x in fork] if name in m else []
    d = rows[key]
    for name in ('deliveries', 'gc.alloc.rate.norm', 'shortBytes', 'loopCpuNanos', 'loopCpuDeliveries'):
        d[name] += flat(name)
print('| streams | protocol | high water mark | distributor | samples | loops\' CPU ns/delivery | B allocated/delivery | short B |')
print('|---:|---|---:|---|---:|---:|---:|---:|')
for key in sorted(rows):
    c, proto, wm, dist = key
    d = rows[key]
    cpu = sum(d['loopCpuNanos']) / sum(d['loopCpuDeliveries'])
    print('| %s | %s | %s | %s | %d | %.0f | %.1f | %d |' % (format(c, ','), proto, format(wm, ',') if wm else '',
          dist, len(d['deliveries']), cpu, statistics.mean(d['gc.alloc.rate.norm']) / c, sum(d['shortBytes'])))
