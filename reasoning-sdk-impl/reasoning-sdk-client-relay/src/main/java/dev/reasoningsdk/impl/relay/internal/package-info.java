/**
 * Not API: {@link dev.reasoningsdk.impl.relay.internal.ClientRelay}, the relay in front of a JDK HTTP server that
 * sees a client go away mid-request, shared by {@code LocalOpenAiServer} (reasoning-sdk-server) and the fixtures'
 * {@code FaultInjectingServer}. Its own artifact because neither of those can depend on the other (the server's
 * tests use the fixtures). Public for Java's sake only; it may change in any release.
 */
package dev.reasoningsdk.impl.relay.internal;
