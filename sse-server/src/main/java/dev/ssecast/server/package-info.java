/** The standalone server: command line, start-up, the open-file cap, signals and the graceful drain. */
package dev.ssecast.server;
