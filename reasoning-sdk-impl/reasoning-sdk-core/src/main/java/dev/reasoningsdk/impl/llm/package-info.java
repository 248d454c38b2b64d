/**
 * The LangChain4j side: sampling many responses from any {@code ChatModel} with bounded concurrency, timeouts,
 * retries and budgets; answer extraction; the Ollama convenience builder.
 */
package dev.reasoningsdk.impl.llm;
