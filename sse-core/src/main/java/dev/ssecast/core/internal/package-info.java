/**
 * The broadcaster's moving parts: the tick agent and its roles, the replay ring, the per-event-loop registry and
 * the shared frames. Not API; may change without notice.
 */
package dev.ssecast.core.internal;
