#!/bin/sh
# Round 2: the four main configurations alternating, h2 and h1, plain and TLS, twice over.
cd "$(dirname "$0")"
export P99=5000 SSECAST_BENCH_JAVA_OPTS="-Xms1g -Xmx4g -XX:+UseParallelGC"
for r in r2 r3; do
    ./run.sh h2-plain-100x1000-$r h2 0 100000 1000 1,5,10,20,30 5000
    ./run.sh h1-plain-18000-$r h1 0 18000 1 1,50,100,150 1000
    ./run.sh h2-tls-100x1000-$r h2 1 100000 1000 1,5,10,20,30 5000
    ./run.sh h1-tls-18000-$r h1 1 18000 1 1,20,50,100 1000
done
