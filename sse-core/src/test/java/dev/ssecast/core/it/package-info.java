/** Socket-level integration tests over loopback (failsafe, {@code *IT}). */
package dev.ssecast.core.it;
