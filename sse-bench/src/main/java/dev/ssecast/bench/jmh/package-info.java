/**
 * JMH benchmarks of the broadcaster's fan-out and encoding, run from {@code sse-bench/target/benchmarks.jar}.
 */
package dev.ssecast.bench.jmh;
