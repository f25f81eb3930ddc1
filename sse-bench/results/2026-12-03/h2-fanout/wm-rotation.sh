#!/bin/sh
# h2 only: the connection high water mark, Netty's 64 KiB against 1 MiB, alternating forks (A B B A), loop CPU on.
# Run from the repository root: sh sse-bench/results/2026-12-03/h2-fanout/wm-rotation.sh [OUT]
set -eu
OUT=${1:-sse-bench/results/2026-12-03/h2-fanout}
JAR=${JAR:-sse-bench/target/benchmarks.jar}
{ echo "start: $(date -u +%FT%TZ)"; echo "load before: $(uptime)"; echo "commit: $(git rev-parse HEAD)"; } > "$OUT/wm-machine.txt"
n=1
for wm in 65536 1048576 1048576 65536; do
    java -jar "$JAR" SinkFanOutBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -p protocol=h2 -p connections=1000,10000,100000 \
        -p strategy=ssecast -p allocator=pooled -p leakDetection=disabled -p gather=epoll -p loopCpu=on -prof gc \
        -p h2ConnectionHighWaterMark=$wm -rf json -rff "$OUT/wm-$n-$wm.json" > "$OUT/wm-$n-$wm.log" 2>&1
    echo "fork $n ($wm) done: $(uptime)" >> "$OUT/wm-machine.txt"
    n=$((n + 1))
done
echo "end: $(date -u +%FT%TZ)" >> "$OUT/wm-machine.txt"
