/** The distributed mode: nodes share one Redis Stream as their event log and read it in the same order. */
package dev.ssecast.server.cluster;
