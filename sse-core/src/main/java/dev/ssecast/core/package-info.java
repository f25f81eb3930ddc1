/**
 * Server-Sent Events for Netty: the event value and its codec, the broadcaster, and the handler that turns HTTP
 * requests into streams.
 */
package dev.ssecast.core;
