#!/bin/sh
# One run of the HTTP/2 / HTTP/1.1 comparison (2026-12-03): a fresh server, `ssecast-bench capacity` against it,
# /metrics sampled every 5 s beside it. Usage: run.sh NAME PROTO(h1|h2) TLS(0|1) STREAMS K RATES [RAMP]
# Writes NAME.out (machine, uptime, command, output), NAME.json, NAME.html, NAME.metrics, NAME.server.log.
set -u
name=$1 proto=$2 tls=$3 streams=$4 k=$5 rates=$6 ramp=${7:-20000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
port=18443
keys=${KEYS:-/tmp/wt-load-keys}
scheme=http
server_tls=
if [ "$tls" = 1 ]; then
    scheme=https
    server_tls="--tls-cert $keys/cert.pem --tls-key $keys/key.pem"
fi
out=$here/$name.out
# the previous server drains for 10 s after SIGTERM: wait for the port
while ss -ltn "sport = :$port" | grep -q LISTEN; do sleep 1; done
{
    echo "# $name  $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# nproc $(nproc), $(uname -r), $(java -version 2>&1 | head -1)"
    echo "# git $(git -C "$root" rev-parse --short HEAD)"
    echo "# uptime before: $(uptime)"
} > "$out"
server_cmd="java -jar $root/sse-server/target/ssecast-server.jar --port $port --host 127.0.0.1 --max-connections-per-ip 0 $server_tls"
echo "# server: $server_cmd" >> "$out"
$server_cmd > "$here/$name.server.log" 2>&1 &
spid=$!
for i in $(seq 1 150); do
    grep -q "listening on" "$here/$name.server.log" 2>/dev/null && break
    kill -0 $spid 2>/dev/null || { echo "# server did not start" >> "$out"; exit 1; }
    sleep 0.2
done
(while kill -0 $spid 2>/dev/null; do
     echo "## $(date -u +%T)"; curl -sk "$scheme://127.0.0.1:$port/metrics" | grep -E '^ssecast_(open_|http2_connections |tick_duration_seconds_(sum|count)|ticks_deferred|slow_consumers|deliveries_total|events_dropped)|^process_open_fds|^jvm_gc_collection_seconds'
     sleep 5
 done) > "$here/$name.metrics" 2>&1 &
mpid=$!
if [ "$proto" = h2 ]; then
    mode="--protocol h2 --streams-per-connection $k"
else
    mode=""
fi
cmd="$root/sse-bench/bin/ssecast-bench capacity --url $scheme://127.0.0.1:$port/events?topic=bench \
--publish-url $scheme://127.0.0.1:$port/events?topic=bench $mode --connections $streams --rates $rates --step 10 \
--min-delivered 0.95 --p99 ${P99:-1000} --threads 2 --ramp $ramp --server-pid $spid --jvm-heap --label $name \
--json $here/$name.json --html $here/$name.html --quiet"
echo "# SSECAST_BENCH_JAVA_OPTS=${SSECAST_BENCH_JAVA_OPTS:-}" >> "$out"
echo "# load: $cmd" >> "$out"
$cmd >> "$out" 2>&1
echo "# exit $?" >> "$out"
echo "# uptime after: $(uptime)" >> "$out"
kill $spid
wait $spid 2>/dev/null
kill $mpid 2>/dev/null
