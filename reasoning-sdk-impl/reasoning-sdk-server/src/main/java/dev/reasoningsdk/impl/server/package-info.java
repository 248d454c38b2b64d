/**
 * A local OpenAI-compatible server over any in-process {@link dev.reasoningsdk.api.model.CausalLanguageModel}:
 * {@link dev.reasoningsdk.impl.server.LocalOpenAiServer}.
 */
package dev.reasoningsdk.impl.server;
