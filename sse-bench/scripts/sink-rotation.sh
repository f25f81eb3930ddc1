#!/bin/sh
# SinkFanOutBenchmark in rotation: JMH cannot alternate forks, so each round runs every parameter combination once
# (-f 1), ROUNDS times over, each round to its own JSON file; then the merged table of jmh-table.
#   sse-bench/scripts/sink-rotation.sh [OUT]      (needs `mvn -B -q package -DskipTests -pl sse-bench -am`)
# Variables: ROUNDS (3), CONNECTIONS (1000,10000,100000), GATHER (epoll,nio), WI/I (warm-up/measurement iterations, 4/5),
#   W/R (their times, 2s/2s), EXTRA (more JMH options), JAR (another benchmarks.jar).
# Short variant: ROUNDS=1 CONNECTIONS=1000,10000 WI=1 I=3 W=1s R=1s sse-bench/scripts/sink-rotation.sh
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/ssecast-sink}
jar=${JAR:-$here/target/benchmarks.jar}
rounds=${ROUNDS:-3}
mkdir -p "$out"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r)"
    echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"
    echo "java: $(java -version 2>&1 | head -1)"
    echo "settings: ROUNDS=$rounds CONNECTIONS=${CONNECTIONS:-1000,10000,100000} GATHER=${GATHER:-epoll,nio} WI=${WI:-4} I=${I:-5} W=${W:-2s} R=${R:-2s} EXTRA=${EXTRA:-}"
    echo "load before: $(uptime)"
} > "$out/machine.txt"
files=""
round=1
while [ "$round" -le "$rounds" ]; do
    # shellcheck disable=SC2086 # EXTRA is a list of options
    java -jar "$jar" "jmh\.SinkFanOutBenchmark\." -f 1 -p connections="${CONNECTIONS:-1000,10000,100000}" -p gather="${GATHER:-epoll,nio}" \
        -wi "${WI:-4}" -i "${I:-5}" -w "${W:-2s}" -r "${R:-2s}" -prof gc ${EXTRA:-} \
        -rf json -rff "$out/sink-r$round.json" | tee "$out/sink-r$round.txt"
    files="$files $out/sink-r$round.json"
    round=$((round + 1))
done
echo "load after: $(uptime)" >> "$out/machine.txt"
# shellcheck disable=SC2086 # one argument per file
java -cp "$jar" dev.ssecast.bench.load.SsecastBench jmh-table $files | tee "$out/tables.md"
