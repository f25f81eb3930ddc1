#!/bin/sh
# ssecast and its peers side by side over real loopback sockets on this machine, each run bounded in time. Per
# phase, every server in turn (so one phase's figures of all servers are minutes apart), each freshly started:
#   1. idle: IDLE connections opened, then 1 event/s for 20s (after WARMUP seconds of it, not counted): memory
#      per idle connection (server RSS, kernel TCP buffers and slab), CPU per delivery and p50/p99 latency;
#   2. syscalls: the same load, and over SYSCALL_SECONDS of its 1 event/s window (from WARMUP seconds in)
#      scripts/syscalls.sh counts the server's write calls, bytes sent, wake-ups, GC and user/system CPU by
#      thread (under perf, so the table's CPU per delivery is idle's);
#   3. capacity: CONNS connections, the publish rate raised through RATES (STEP seconds each) until the SLO breaks
#      (delivered >= 95% of published x connections, p99 <= 1s).
# Results: OUT/*.json, OUT/*-syscalls.properties, OUT/idle.md (ssecast-bench idle-table), OUT/report.html,
# OUT/machine.txt.
#
#   sse-bench/scripts/compare.sh [OUT]     (as root, for nginx and perf; needs sse-server and sse-bench packaged)
#
# Servers (SERVERS, in this order):
#   ssecast        the README's start command with its defaults: java -jar ssecast-server.jar --port P --host
#                  127.0.0.1 (SERVER_JAVA_OPTS and SSECAST_ARGS add to it; the transport is the default, auto)
#   ssecast-epoll, ssecast-uring, ssecast-nio   the same with --transport epoll | io_uring | nio; a server that
#                  falls back to another transport is skipped, with the reason, rather than mislabelled
#   ssecast-base   the same start command with another build's jar (BASE_JAR), for a before/after in one run
#   ssecast-tls, ssecast-tls-jdk   the same over TLS (an EC P-256 pair made in OUT), OpenSSL's or the JDK's
#   cfanout        ../shared/bench/cfanout.c (CFANOUT_SRC), built with gcc -O2 into OUT/cfanout
#   nchan          scripts/nchan.sh
# Environment: SERVERS ("ssecast cfanout nchan"), PHASES ("idle syscalls capacity"), IDLE (18000), WARMUP (0),
#              SYSCALL_SECONDS (10), CONNS (5000), RATES (1,10,20,50,100,150,200,300,400), STEP (10),
#              SERVER_JAVA_OPTS (none), SSECAST_ARGS (none), CFANOUT_SRC, BASE_PORT (28080),
#              BASE_JAR (for ssecast-base), TAG (a suffix for the labels and result files of a variant run).
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
SYSCALL_SECONDS=${SYSCALL_SECONDS:-10}
WARMUP=${WARMUP:-0}
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:-}
SSECAST_ARGS=${SSECAST_ARGS:-}
SERVERS=${SERVERS:-ssecast cfanout nchan}
PHASES=${PHASES:-idle syscalls capacity}
CFANOUT_SRC=${CFANOUT_SRC:-$(dirname "$root")/shared/bench/cfanout.c}
TAG=${TAG:-}
bench() {
    java -Xms512m -Xmx2g -XX:+UseParallelGC -cp "$here/target/benchmarks.jar" dev.ssecast.bench.load.SsecastBench "$@"
}
await_port() { # port [scheme]: a HEAD answers at once on every server (cfanout subscribes only a GET)
    for _ in $(seq 1 100); do
        curl -sk -o /dev/null --max-time 1 -I "${2:-http}://127.0.0.1:$1/" && return 0
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2
    return 1
}
start_server() { # label port log -> sets pids, url, publish, heap; returns 1 when the server is not what it says
    heap=
    scheme=http
    case "$1" in
    ssecast*)
        jar=$root/sse-server/target/ssecast-server.jar
        tls=
        case "$1" in
        ssecast) transport= ;;
        ssecast-base) transport= ; jar=${BASE_JAR:?ssecast-base needs BASE_JAR, another build of ssecast-server.jar} ;;
        ssecast-uring) transport=io_uring ;;
        ssecast-tls) transport= ; tls=auto ;;
        ssecast-tls-jdk) transport= ; tls=jdk ;;
        *) transport=${1#ssecast-} ;;
        esac
        if [ -n "$tls" ]; then # an EC P-256 pair made here; the load generator trusts any certificate
            [ -f "$out/tls.key" ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
                -subj /CN=localhost -keyout "$out/tls.key" -out "$out/tls.crt" 2>/dev/null
            scheme=https
        fi
        # shellcheck disable=SC2086 # the options are lists of words
        java $SERVER_JAVA_OPTS -jar "$jar" --port "$2" --host 127.0.0.1 \
            ${transport:+--transport "$transport"} \
            ${tls:+--tls-cert "$out/tls.crt" --tls-key "$out/tls.key" --tls-provider "$tls"} $SSECAST_ARGS > "$3" 2>&1 &
        pids=$!
        url="$scheme://127.0.0.1:$2/events?topic=bench"
        publish="$url"
        heap=--jvm-heap
        ;;
    cfanout)
        "$out/cfanout" --addr "127.0.0.1:$2" > "$3" 2>&1 &
        pids=$!
        url="http://127.0.0.1:$2/events?topic=bench"
        publish="$url"
        ;;
    nchan)
        pids=$("$here/scripts/nchan.sh" start "$2" "$out/nchan" | tr ' ' ',' | sed 's/,$//')
        url="http://127.0.0.1:$2/sub?topic=bench"
        publish="http://127.0.0.1:$2/pub?topic=bench"
        ;;
    *)
        echo "unknown server $1 (ssecast, ssecast-epoll, ssecast-uring, ssecast-nio, cfanout, nchan)" >&2
        exit 2
        ;;
    esac
    await_port "$2" "$scheme" || exit 1
    for pid in $(echo "$pids" | tr ',' ' '); do
        kill -0 "$pid" || { echo "$1 did not start; see $3" >&2; exit 1; }
    done
    case "$1" in
    ssecast*)
        for _ in $(seq 1 50); do
            grep -q 'listening on' "$3" && break
            sleep 0.1
        done
        listening=$(sed -n 's/.*listening on [^ ]* (\([^,]*\),.*/\1/p' "$3")
        echo "$1$TAG: transport $listening" >> "$out/machine.txt"
        if [ -n "$transport" ] && [ "$listening" != "$transport" ]; then
            echo "$1: asked for --transport $transport, got $listening; skipped: $(grep -- '--transport' "$3")" \
                | tee -a "$out/machine.txt" >&2
            return 1
        fi
        ;;
    esac
}
stop_server() {
    case "$1" in
    nchan) "$here/scripts/nchan.sh" stop "$out/nchan"; sleep 1 ;;
    *) kill "$pids" 2>/dev/null || true; wait "$pids" 2>/dev/null || true ;;
    esac
}
syscalls_phase() { # label port: a load run, and syscalls.sh over its 1 event/s window
    log="$out/$1-syscalls-load.txt"
    bench load --label "$1" --url "$url" --publish-url "$publish" --server-pid "$pids" --connections "$IDLE" \
        --rate 1 --duration "$((WARMUP + SYSCALL_SECONDS + 4))" --min-delivered 0.95 --quiet > "$log" 2>&1 &
    load=$!
    # The step starts as the memory line is printed and publishes at 0 s, 1 s, ...; the window from WARMUP + 1.5 s
    # to WARMUP + SYSCALL_SECONDS + 1.5 s holds the fan-outs of SYSCALL_SECONDS events, each given 0.5 s to
    # finish, and ends 2.5 s before the publishing does, so that every stream is still open when it closes.
    until grep -q '^memory per idle connection' "$log"; do
        kill -0 "$load" 2>/dev/null || { echo "$1: the load run ended early; see $log" >&2; return 0; }
        sleep 0.05
    done
    start=$(date +%s.%N | awk -v w="$WARMUP" '{printf "%.3f", $1 + w + 1.5}')
    {
        echo "label=$1"
        echo "connections=$(sed -n 's/^opened \([0-9]*\) of.*/\1/p' "$log")"
        echo "events=$SYSCALL_SECONDS"
        "$here/scripts/syscalls.sh" "$pids" "$SYSCALL_SECONDS" "$2" "$start"
    } > "$out/$1-syscalls.properties"
    wait "$load" || true
    echo "lost=$(sed -n 's/^accounting:.* lost \([0-9]*\),.*/\1/p' "$log")" >> "$out/$1-syscalls.properties"
    tail -3 "$log"
}
case " $SERVERS " in
*" cfanout "*)
    gcc -O2 -Wall -pthread -o "$out/cfanout" "$CFANOUT_SRC"
    ;;
esac
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    # shellcheck disable=SC1091 # the machine's own os-release
    echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r)"
    echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"
    echo "java: $(java -version 2>&1 | head -1)"
    echo "nginx: $(nginx -v 2>&1); nchan: $(dpkg-query -W -f='${Version}' libnginx-mod-nchan 2>/dev/null)"
    echo "cfanout: $CFANOUT_SRC, $(gcc --version | head -1) -O2"
    echo "perf: $(perf version 2>/dev/null || echo none)"
    echo "load before: $(uptime)"
    echo "settings: SERVERS=\"$SERVERS\" PHASES=\"$PHASES\" IDLE=$IDLE WARMUP=$WARMUP" \
        "SYSCALL_SECONDS=$SYSCALL_SECONDS CONNS=$CONNS" \
        "RATES=$RATES STEP=$STEP SERVER_JAVA_OPTS=\"$SERVER_JAVA_OPTS\" SSECAST_ARGS=\"$SSECAST_ARGS\" TAG=$TAG"
    echo "client and server share the $(nproc) cores; all traffic on loopback"
} >> "$out/machine.txt"
port=${BASE_PORT:-28080}
for phase in $PHASES; do
    for server in $SERVERS; do
        port=$((port + 1))
        label="$server$TAG"
        if ! start_server "$server" "$port" "$out/$label-$phase-server.log"; then
            stop_server "$server"
            continue
        fi
        case "$phase" in
        idle)
            bench load --label "$label" --url "$url" --publish-url "$publish" --server-pid "$pids" ${heap:+"$heap"} \
                --connections "$IDLE" --rate 1 --warmup "$WARMUP" --duration 20 --min-delivered 0.95 \
                --json "$out/$label-idle.json" | tee "$out/$label-idle.txt" || true
            ;;
        syscalls)
            syscalls_phase "$label" "$port"
            ;;
        capacity)
            bench capacity --label "$label" --url "$url" --publish-url "$publish" --server-pid "$pids" \
                --connections "$CONNS" --rates "$RATES" --step "$STEP" --min-delivered 0.95 --p99 1000 --quiet \
                --json "$out/$label-capacity.json" | tee "$out/$label-capacity.txt" || true
            ;;
        *)
            echo "unknown phase $phase (idle, syscalls, capacity)" >&2
            exit 2
            ;;
        esac
        stop_server "$server"
    done
done
echo "load after: $(uptime)" >> "$out/machine.txt"
echo >> "$out/machine.txt"
bench idle-table "$out" | tee "$out/idle.md"
set -- "$out"/*.json
if [ -f "$1" ]; then
    bench report --title "ssecast and its peers on $(nproc) cores, loopback, $(date -u +%Y-%m-%d)" \
        --html "$out/report.html" "$@"
fi
