#!/bin/sh
# Warm runs at 1 event/s (10 s warm-up, 20 s measured): CPU per delivery without the JIT in it.
cd "$(dirname "$0")"
export SSECAST_BENCH_JAVA_OPTS="-Xms1g -Xmx4g -XX:+UseParallelGC"
./run-load.sh warm1-h2-plain-100x1000 h2 0 100000 1000 1 5000
./run-load.sh warm1-h1-plain-18000 h1 0 18000 1 1 1000
./run-load.sh warm1-h2-plain-18x1000 h2 0 18000 1000 1 5000
./run-load.sh warm1-h2-tls-100x1000 h2 1 100000 1000 1 5000
./run-load.sh warm1-h1-tls-18000 h1 1 18000 1 1 1000
