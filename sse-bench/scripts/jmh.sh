#!/bin/sh
# The JMH runs behind docs/benchmarks.md (about 15 minutes on 2 cores), then their Markdown tables.
#   sse-bench/scripts/jmh.sh [OUT]        (needs `mvn -pl sse-bench -am package`; JAR= runs another copy)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/ssecast-jmh}
mkdir -p "$out"
jar=${JAR:-$here/target/benchmarks.jar}
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r)"
    echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"
    echo "java: $(java -version 2>&1 | head -1)"
    echo "load before: $(uptime)"
} > "$out/machine.txt"
java -jar "$jar" FanOutBenchmark -prof gc -rf json -rff "$out/fanout.json" | tee "$out/fanout.txt"
java -jar "$jar" FanOutBenchmark -p connections=100000 -p allocator=adaptive -prof gc -rf json \
    -rff "$out/fanout-adaptive.json" | tee "$out/fanout-adaptive.txt"
java -jar "$jar" TickBenchmark -prof gc -rf json -rff "$out/tick.json" | tee "$out/tick.txt"
java -jar "$jar" EncoderBenchmark -prof gc -rf json -rff "$out/encoder.json" | tee "$out/encoder.txt"
echo "load after: $(uptime)" >> "$out/machine.txt"
java -cp "$jar" dev.ssecast.bench.load.SsecastBench jmh-table "$out/fanout.json" "$out/fanout-adaptive.json" \
    "$out/tick.json" "$out/encoder.json" | tee "$out/tables.md"
