#!/bin/sh
# An A/B of one hot-path step: SinkFanOutBenchmark's ssecast strategy from two benchmark jars, in rotation (A B, then
# B A, ...) so that drift of the machine falls on both alike, each run one fork (-f 1) to its own JSON file tagged
# with its variant; then jmh-table, whose A/B table gives B ÷ A per parameter set with a 99.9% bootstrap interval.
#   sse-bench/scripts/ab-rotation.sh A.jar B.jar [OUT]
# Variables: ROUNDS (3: each variant runs ROUNDS times), CONNECTIONS (1000,10000,100000), STRATEGY (ssecast),
#   ALLOCATOR (pooled), LEAK (disabled), GATHER (epoll), WI/I (warm-up/measurement iterations, 2/5), W/R (their times, 1s/1s),
#   BENCH (SinkFanOutBenchmark; FanOutBenchmark works too), EXTRA (more JMH options).
# Keep rule (issue 10 §3): B is kept when 100,000 improves with the whole interval above 1, and no interval at
# 1,000 or 10,000 lies wholly below 1.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
a=$1
b=$2
out=${3:-/tmp/ssecast-ab}
rounds=${ROUNDS:-3}
bench=${BENCH:-SinkFanOutBenchmark}
mkdir -p "$out"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r)"
    echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"
    echo "java: $(java -version 2>&1 | head -1)"
    echo "A: $a ($(sha256sum "$a" | cut -c1-12))"
    echo "B: $b ($(sha256sum "$b" | cut -c1-12))"
    echo "settings: BENCH=$bench ROUNDS=$rounds CONNECTIONS=${CONNECTIONS:-1000,10000,100000} STRATEGY=${STRATEGY:-ssecast} ALLOCATOR=${ALLOCATOR:-pooled} LEAK=${LEAK:-disabled} GATHER=${GATHER:-epoll} WI=${WI:-2} I=${I:-5} W=${W:-1s} R=${R:-1s} EXTRA=${EXTRA:-}"
    echo "load before: $(uptime)"
} > "$out/machine.txt"
run() { # variant jar round
    case "$bench" in
    SinkFanOutBenchmark) params="-p strategy=${STRATEGY:-ssecast} -p allocator=${ALLOCATOR:-pooled} -p leakDetection=${LEAK:-disabled} -p gather=${GATHER:-epoll}" ;;
    *) params="-p strategy=${STRATEGY:-ssecast}" ;;
    esac
    # shellcheck disable=SC2086 # params and EXTRA are lists of options
    java -jar "$2" "jmh\.$bench\." -f 1 -p connections="${CONNECTIONS:-1000,10000,100000}" $params \
        -wi "${WI:-2}" -i "${I:-5}" -w "${W:-1s}" -r "${R:-1s}" -prof gc ${EXTRA:-} \
        -rf json -rff "$out/$1-r$3.json" > "$out/$1-r$3.txt"
    # The variant becomes a parameter of every row, so that jmh-table can tell A from B.
    sed -i "s/\"params\" : {/\"params\" : { \"variant\" : \"$1\",/" "$out/$1-r$3.json"
    files="$files $out/$1-r$3.json"
}
files=""
round=1
while [ "$round" -le "$rounds" ]; do
    if [ $((round % 2)) -eq 1 ]; then
        run A "$a" "$round"; run B "$b" "$round"
    else
        run B "$b" "$round"; run A "$a" "$round"
    fi
    round=$((round + 1))
done
echo "load after: $(uptime)" >> "$out/machine.txt"
# shellcheck disable=SC2086 # one argument per file
java -cp "$b" dev.ssecast.bench.load.SsecastBench jmh-table $files | tee "$out/tables.md"
