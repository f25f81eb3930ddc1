#!/usr/bin/env python3
"""Table of SinkFanOutBenchmark JSON files (any number): one row per protocol, connections and connection water
mark, pooling every fork's iteration samples. python3 table.py fanout-r*.json fanout-h2-1mib.json"""
import json, statistics, sys
from collections import defaultdict

rows = defaultdict(lambda: defaultdict(list))
for f in sys.argv[1:]:
    for r in json.load(open(f)):
        p = r['params']
        h2 = p['protocol'] == 'h2'
        key = (int(p['connections']), p['protocol'], int(p.get('h2ConnectionHighWaterMark', 65536)) if h2 else 0)
        m = r['secondaryMetrics']
        flat = lambda name: [x for fork in m[name]['rawData'] for x in fork] if name in m else []
        d = rows[key]
        d['deliveries'] += flat('deliveries')
        d['sinkBytes'] += flat('sinkBytes')
        d['norm'] += flat('gc.alloc.rate.norm')
        d['short'] += flat('shortBytes')
        d['cpu'] += flat('loopCpuNanos')
        d['cpuDeliveries'] += flat('loopCpuDeliveries')
        d['forks'].append(f)

print('| streams | protocol | connection high water mark | forks x samples | deliveries/s (median) | ns/delivery, wall'
      ' | loops\' CPU ns/delivery | B allocated/delivery | B written/delivery | short B (sum) |')
print('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|')
cpu_by = {}
for key in sorted(rows):
    c, proto, wm = key
    d = rows[key]
    med = statistics.median(d['deliveries'])
    cpu = sum(d['cpu']) / sum(d['cpuDeliveries']) if d['cpuDeliveries'] and sum(d['cpuDeliveries']) else float('nan')
    cpu_by[key] = (cpu, 1e9 / med, statistics.mean(d['norm']) / c)
    print('| %s | %s | %s | %d x %d | %s | %.0f | %.0f | %.1f | %.1f | %d |' % (
        format(c, ','), proto, format(wm, ',') if wm else '', len(set(d['forks'])), len(d['deliveries']),
        format(round(med), ','), 1e9 / med, cpu, statistics.mean(d['norm']) / c,
        sum(d['sinkBytes']) / sum(d['deliveries']), sum(d['short'])))
print()
print('| streams | h2 / http1, wall ns | h2 / http1, loops\' CPU ns | h2 - http1, B allocated/delivery |')
print('|---:|---:|---:|---:|')
for c in sorted({k[0] for k in rows}):
    h1 = cpu_by.get((c, 'http1', 0))
    h2 = cpu_by.get((c, 'h2', 65536))
    if h1 and h2:
        print('| %s | %.1f | %.1f | %.0f |' % (format(c, ','), h2[1] / h1[1], h2[0] / h1[0], h2[2] - h1[2]))
