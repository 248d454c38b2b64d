/**
 * Not API: helpers the ONNX loaders share with the merger ({@link dev.reasoningsdk.impl.onnx.internal.ModelFolder},
 * where the files a model names may be). Public for Java's sake only; they may change in any release.
 */
package dev.reasoningsdk.impl.onnx.internal;
