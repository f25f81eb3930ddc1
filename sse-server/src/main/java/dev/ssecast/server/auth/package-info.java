/** Who may read and publish which topics: JWT keys and their verification, topic grants, refusal limits. */
package dev.ssecast.server.auth;
