#!/bin/sh
# $1 label, rest: java opts
label=$1; shift
J=/work/main/sse-server/target/ssecast-server.jar
B=/work/main/sse-bench/target/benchmarks.jar
java "$@" -jar $J --port 29111 --host 127.0.0.1 > $label-server.log 2>&1 &
spid=$!
for i in $(seq 100); do curl -s -o /dev/null -I http://127.0.0.1:29111/ && break; sleep 0.1; done
java -Xms512m -Xmx2g -XX:+UseParallelGC -cp $B dev.ssecast.bench.load.SsecastBench load --label $label \
  --url "http://127.0.0.1:29111/events?topic=bench" --publish-url "http://127.0.0.1:29111/events?topic=bench" \
  --server-pid $spid --connections 18000 --rate 1 --duration 25 --min-delivered 0.95 --jvm-heap > $label-load.txt 2>&1 &
lpid=$!
until grep -q '^memory per idle connection' $label-load.txt; do sleep 0.2; done
sleep 12
grep VmRSS /proc/$spid/status > $label-rss.txt
jcmd $spid GC.class_histogram > $label-histo.txt 2>&1; jcmd $spid VM.native_memory summary > $label-nmt.txt 2>&1; cat /proc/$spid/smaps_rollup > $label-smaps.txt; pmap -x $spid | sort -k3 -n | tail -15 > $label-pmap.txt
grep VmRSS /proc/$spid/status >> $label-rss.txt
jcmd $spid GC.heap_info >> $label-rss.txt 2>&1
wait $lpid
kill $spid; wait $spid 2>/dev/null
grep -E "memory|RSS|p99|accounting" $label-load.txt
