#!/bin/sh
# The session's runs one after the other (each run.sh waits for the previous server to be gone).
cd "$(dirname "$0")"
export P99=5000 SSECAST_BENCH_JAVA_OPTS="-Xms1g -Xmx4g -XX:+UseParallelGC"
./run.sh h2-plain-100x1000 h2 0 100000 1000 1,2,5,10,20,40 5000
./run.sh h1-plain-18000 h1 0 18000 1 1,20,50,100,150,200,300 1000
./run.sh h1-tls-18000 h1 1 18000 1 1,20,50,100,150,200,300 1000
./run.sh h2-plain-18x1000 h2 0 18000 1000 1,20,50,100,150,200,300 5000
./run.sh h2-plain-400x250 h2 0 100000 250 1,2,5,10,20,40 5000
