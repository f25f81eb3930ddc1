/** The server's HTTP contract: the pipeline, routes, publishing, health, metrics and the live page. */
package dev.ssecast.server.http;
