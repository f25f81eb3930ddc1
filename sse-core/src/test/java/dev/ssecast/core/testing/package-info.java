/** Test support shared through the test-jar: a socket SSE client, its event recorder, a test server, leak checks. */
package dev.ssecast.core.testing;
