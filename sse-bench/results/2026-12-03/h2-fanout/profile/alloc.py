#!/usr/bin/env python3
"""Loop threads' JFR allocation samples by class, scaled to JMH's gc.alloc.rate.norm per delivery.
jfr print --stack-depth 30 --events jdk.ObjectAllocationSample REC.jfr > alloc.txt; python3 alloc.py alloc.txt jmh.json 10000"""
import re, collections, json, sys
txt = open(sys.argv[1]).read()
norm = json.load(open(sys.argv[2]))[0]['secondaryMetrics']['gc.alloc.rate.norm']['score'] / int(sys.argv[3])
w = collections.Counter(); tot = 0
for e in txt.split('jdk.ObjectAllocationSample')[1:]:
    th = re.search(r'eventThread = "([^"]+)"', e)
    frames = re.findall(r'^\s+([\w\.$<>]+)\(.*?\)\s+line:', e, re.M)
    if not th or not th.group(1).startswith('bench-loop'):
        continue
    if any(s in f for f in frames for s in ('SinkStreams', 'H2ClientFrames', 'doClose')):
        continue  # set-up and tear-down
    cls = re.search(r'objectClass = ([\w\.$\[\]]+)', e).group(1)
    m = re.search(r'weight = ([\d\.,]+) (\w+)', e)
    v = float(m.group(1).replace(',', '')) * {'bytes': 1, 'kB': 1e3, 'MB': 1e6, 'GB': 1e9}.get(m.group(2), 1)
    if cls == 'java.lang.Object[]':
        site = next((f.split('.')[-2] + '.' + f.split('.')[-1] for f in frames
                     if 'CoalescingBufferQueue' in f or 'ArrayDeque' in f or 'jctools' in f), '?')
        cls += ' (' + site + ')'
    w[cls] += v; tot += v
print('gc.alloc.rate.norm per delivery %.1f B' % norm)
print('| class | share of loops\' sampled allocation | ~B per delivery |\n|---|---:|---:|')
for k, v in w.most_common(18):
    print('| `%s` | %.1f%% | %.0f |' % (k, 100 * v / tot, norm * v / tot))
