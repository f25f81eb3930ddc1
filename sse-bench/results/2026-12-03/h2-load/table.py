#!/usr/bin/env python3
"""Prints the session's runs as markdown tables: memory after opening, then every step. Usage: table.py A.json ..."""
import json, sys, re

def load_line(path):
    out = path[:-5] + '.out'
    try:
        text = open(out).read()
    except OSError:
        return '', ''
    before = re.search(r'uptime before: .*load average: (.*)', text)
    opened = re.search(r'opened .*', text)
    return (before.group(1) if before else ''), (opened.group(0) if opened else '')

print('| run | load avg before (1/5/15) | opened | server RSS B/stream | heap after GC B/stream | RSS KB/TCP conn |')
print('|---|---|---|---:|---:|---:|')
for p in sys.argv[1:]:
    d = json.load(open(p))
    m = d['memory'][0] if d['memory'] else None
    k = re.search(r'--streams-per-connection (\d+)', d['command'] or '')
    per = int(k.group(1)) if k else 1
    la, op = load_line(p)
    if m:
        print(f"| {d['label']} | {la} | {op} | {m['rssPerConnection']:,.0f} | {m['heapPerConnection']:,.0f} | "
              f"{m['rssPerConnection'] * per / 1024:,.1f} |")
print()
print('| run | events/s | deliveries/s | delivered | p50 ms | p99 ms | p99.9 ms | server CPU % | server µs/delivery | load gen CPU % | verdict (p99 ≤ 5 s, ≥ 95%) |')
print('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|')
for p in sys.argv[1:]:
    d = json.load(open(p))
    for s in d['steps']:
        l = s['latency']
        p99mark = ' (≤ 1 s)' if l['p99'] <= 1000 else ''
        print(f"| {d['label']} | {s['rate']:.0f} | {s['deliveriesPerSecond']:,.0f} | {100 * s['deliveredRatio']:.1f}% | "
              f"{l['p50']:,.0f} | {l['p99']:,.0f}{p99mark} | {l['p999']:,.0f} | {s['serverCpuPercent']:.0f} | "
              f"{s['serverCpuMicrosPerDelivery']:.2f} | {s['loadCpuPercent']:.0f} | {s['verdict']} |")
