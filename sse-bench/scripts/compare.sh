#!/bin/sh
# ssecast and nchan side by side over real loopback sockets on this machine, each run bounded in time:
#   1. idle: IDLE connections opened, then 1 event/s for 20s: memory per idle connection, CPU per delivery and
#      p99 latency at 1 event/s;
#   2. capacity: CONNS connections, the publish rate raised through RATES (STEP seconds each) until the SLO breaks
#      (delivered >= 95% of published x connections, p99 <= 1s).
# Each phase gets a freshly started server. Results: OUT/*.json, OUT/report.html, OUT/machine.txt.
#
#   sse-bench/scripts/compare.sh [OUT]     (as root, for nginx; needs sse-server and sse-bench packaged)
# Environment: CONNS (5000), RATES (1,10,20,50,100,150,200,300,400), STEP (10), IDLE (18000),
#              SERVER_JAVA_OPTS (-Xmx256m), SERVERS ("ssecast nchan"), PHASES ("idle capacity"),
#              TAG (a suffix for the result files of a variant run).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(dirname "$here")
out=${1:-/tmp/ssecast-compare}
mkdir -p "$out"
out=$(cd "$out" && pwd)
CONNS=${CONNS:-5000}
RATES=${RATES:-1,10,20,50,100,150,200,300,400}
STEP=${STEP:-10}
IDLE=${IDLE:-18000}
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:--Xmx256m}
SERVERS=${SERVERS:-ssecast nchan}
PHASES=${PHASES:-idle capacity}
TAG=${TAG:-}
bench() {
    java -Xms512m -Xmx2g -XX:+UseParallelGC -cp "$here/target/benchmarks.jar" dev.ssecast.bench.load.SsecastBench "$@"
}
await_port() {
    for _ in $(seq 1 100); do
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/" && return 0
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2
    return 1
}
start_server() { # label port -> sets pids, url, publish
    case "$1" in
    ssecast)
        java $SERVER_JAVA_OPTS -jar "$root/sse-server/target/ssecast-server.jar" --port "$2" --host 127.0.0.1 \
            --max-connections 19000 > "$out/ssecast-server.log" 2>&1 &
        pids=$!
        url="http://127.0.0.1:$2/events?topic=bench"
        publish="$url"
        heap=--jvm-heap
        ;;
    nchan)
        pids=$("$here/scripts/nchan.sh" start "$2" "$out/nchan" | tr ' ' ',' | sed 's/,$//')
        url="http://127.0.0.1:$2/sub?topic=bench"
        publish="http://127.0.0.1:$2/pub?topic=bench"
        heap=
        ;;
    esac
    await_port "$2"
    for pid in $(echo "$pids" | tr ',' ' '); do
        kill -0 "$pid" || { echo "$1 did not start; see $out" >&2; exit 1; }
    done
}
stop_server() {
    case "$1" in
    ssecast) kill "$pids" 2>/dev/null || true; wait "$pids" 2>/dev/null || true ;;
    nchan) "$here/scripts/nchan.sh" stop "$out/nchan"; sleep 1 ;;
    esac
}
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r)"
    echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"
    echo "java: $(java -version 2>&1 | head -1)"
    echo "nginx: $(nginx -v 2>&1); nchan: $(dpkg-query -W -f='${Version}' libnginx-mod-nchan 2>/dev/null)"
    echo "load before: $(uptime)"
    echo "settings: CONNS=$CONNS RATES=$RATES STEP=$STEP IDLE=$IDLE SERVER_JAVA_OPTS=$SERVER_JAVA_OPTS PHASES=$PHASES TAG=$TAG"
    echo "client and server share the 2 cores; all traffic on loopback"
} >> "$out/machine.txt"
port=${BASE_PORT:-28080}
for server in $SERVERS; do
    for phase in $PHASES; do
        port=$((port + 1))
        start_server "$server" "$port"
        case "$phase" in
        idle)
            bench load --label "$server$TAG" --url "$url" --publish-url "$publish" --server-pid "$pids" $heap \
                --connections "$IDLE" --rate 1 --duration 20 --min-delivered 0.95 \
                --json "$out/$server$TAG-idle.json" | tee "$out/$server$TAG-idle.txt" || true
            ;;
        capacity)
            bench capacity --label "$server$TAG" --url "$url" --publish-url "$publish" --server-pid "$pids" \
                --connections "$CONNS" --rates "$RATES" --step "$STEP" --min-delivered 0.95 --p99 1000 --quiet \
                --json "$out/$server$TAG-capacity.json" | tee "$out/$server$TAG-capacity.txt" || true
            ;;
        esac
        stop_server "$server"
    done
done
echo "load after: $(uptime)" >> "$out/machine.txt"
echo >> "$out/machine.txt"
bench report --title "ssecast vs nchan on $(nproc) cores, loopback, $(date -u +%Y-%m-%d)" --html "$out/report.html" \
    "$out"/*.json
