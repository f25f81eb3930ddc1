#!/bin/sh
# Repro of the h2-over-TLS open failures at a 20,000 streams/s ramp: 60 connections x 1,000 streams. Samples each
# second: server sockets established / with unread bytes (Recv-Q > 0), and the CPU (ticks) of the server's and the
# load generator's threads, to tell a busy loop from a stalled one.
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../../.." && pwd)
keys=${KEYS:-/tmp/wt-load-keys}
port=18444
java -jar $root/sse-server/target/ssecast-server.jar --port $port --host 127.0.0.1 --max-connections-per-ip 0 \
    --tls-cert $keys/cert.pem --tls-key $keys/key.pem > $here/repro.server.log 2>&1 &
spid=$!
sleep 4
echo "# $(date -u +%T) $(uptime)"
SSECAST_BENCH_JAVA_OPTS="-Xms1g -Xmx4g -XX:+UseParallelGC" $root/sse-bench/bin/ssecast-bench load \
    --url "https://127.0.0.1:$port/events?topic=bench" --publish-url "https://127.0.0.1:$port/events?topic=bench" \
    --protocol h2 --streams-per-connection 1000 --connections 60000 --ramp ${RAMP:-20000} --threads 2 --rate 1 \
    --duration 2 --settle 0 --quiet > $here/repro.load.out 2>&1 &
lpid=$!
threads() { for t in /proc/$1/task/*; do n=$(cat $t/comm); case "$n" in ssecast-*) echo "$n=$(awk -F') ' '{split($2,a," "); print a[12]+a[13]}' $t/stat)";; esac; done | tr '\n' ' '; }
for i in $(seq 1 18); do
    sleep 1
    lj=$(pgrep -P $lpid java || echo $lpid)
    echo "t=$i estab=$(ss -tn state established "( sport = :$port )" | tail -n +2 | wc -l) unread=$(ss -tn state established "( sport = :$port )" | awk 'NR>1 && $1>0' | wc -l) | server: $(threads $spid)| load: $(threads $lj)"
done
wait $lpid
cat $here/repro.load.out
kill $spid
