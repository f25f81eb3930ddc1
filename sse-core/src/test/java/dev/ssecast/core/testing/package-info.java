/**
 * Test support shared through the test-jar: a socket SSE client, its event recorder, a test server, leak checks,
 * and the lookup of the external programs tests start.
 */
package dev.ssecast.core.testing;
