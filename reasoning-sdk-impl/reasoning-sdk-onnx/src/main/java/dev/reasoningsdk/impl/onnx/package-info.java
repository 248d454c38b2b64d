/**
 * The ONNX Runtime side: one place that creates sessions (CUDA when present, CPU otherwise), the embedded sentence
 * encoder, and local causal language models (the tiny reasoner) with white-box access and a LangChain4j adapter.
 */
package dev.reasoningsdk.impl.onnx;
