/**
 * An LM-call cache for LangChain4j: {@link dev.reasoningsdk.impl.cache.CachingChatModel} answers requests it has
 * seen from a SQLite file, so that prompt searches and benches replay exactly without model calls.
 */
package dev.reasoningsdk.impl.cache;
