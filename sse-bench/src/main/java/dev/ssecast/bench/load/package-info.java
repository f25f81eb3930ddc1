/**
 * The {@code ssecast-bench} tool: real-socket load and capacity runs against an SSE server, with their accounting,
 * histograms and JSON and HTML reports.
 */
package dev.ssecast.bench.load;
