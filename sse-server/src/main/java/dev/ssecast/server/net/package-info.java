/**
 * Who a connection or request really comes from (PROXY protocol, forwarding headers, trusted proxies), and the
 * limits kept per client address.
 */
package dev.ssecast.server.net;
