/**
 * Not API: the pieces behind {@link dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel} and
 * {@link dev.reasoningsdk.impl.onnx.hf.ChatTemplate}: Jinjava set up with Hugging Face's chat-template extensions,
 * and the readers of an export folder's JSON files. Public for Java's sake only; they may change in any release.
 */
package dev.reasoningsdk.impl.onnx.hf.internal;
