/**
 * A local OpenAI-compatible server, with Ollama's chat API, over any in-process
 * {@link dev.reasoningsdk.api.model.CausalLanguageModel}:
 * {@link dev.reasoningsdk.impl.server.LocalOpenAiServer}.
 */
package dev.reasoningsdk.impl.server;
