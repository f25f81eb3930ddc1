#!/bin/sh
# SinkFanOutBenchmark, ssecast, http1 and h2 in the same JMH run; pooled frames, leak detection disabled, epoll
# gather, loop CPU time on. ROUNDS forks in sequence (each fork runs both protocols), then one run of h2 with a
# 1 MiB connection high water mark. Run from the repository root:
#   sh sse-bench/results/2026-12-03/h2-fanout/run.sh [OUT]
set -eu
OUT=${1:-sse-bench/results/2026-12-03/h2-fanout}
ROUNDS=${ROUNDS:-2}
JAR=${JAR:-sse-bench/target/benchmarks.jar}
COMMON="-f 1 -wi 3 -i 5 -w 1s -r 1s -p connections=1000,10000,100000 -p strategy=ssecast -p allocator=pooled \
 -p leakDetection=disabled -p gather=epoll -p loopCpu=on -prof gc"
{ echo "start: $(date -u +%FT%TZ)"; echo "load before: $(uptime)"; echo "nproc: $(nproc)"; echo "kernel: $(uname -r)";
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"; java -version 2>&1; echo "commit: $(git rev-parse HEAD)"; } > "$OUT/machine.txt"
( while :; do echo "$(date -u +%T) $(uptime)"; sleep 10; done ) > "$OUT/uptime.log" &
SAMPLER=$!
r=1
while [ "$r" -le "$ROUNDS" ]; do
    # shellcheck disable=SC2086
    java -jar "$JAR" SinkFanOutBenchmark $COMMON -p protocol=http1,h2 -rf json -rff "$OUT/fanout-r$r.json" \
        > "$OUT/fanout-r$r.log" 2>&1
    r=$((r + 1))
done
# shellcheck disable=SC2086
java -jar "$JAR" SinkFanOutBenchmark $COMMON -p protocol=h2 -p h2ConnectionHighWaterMark=1048576 \
    -rf json -rff "$OUT/fanout-h2-1mib.json" > "$OUT/fanout-h2-1mib.log" 2>&1
kill $SAMPLER
{ echo "end: $(date -u +%FT%TZ)"; echo "load after: $(uptime)"; } >> "$OUT/machine.txt"
