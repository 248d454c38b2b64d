/**
 * Not API: the model-file helpers the ONNX Runtime loaders share with the merger (the external-data check
 * {@link dev.reasoningsdk.impl.onnx.internal.OnnxExternalData}, the model-folder rule
 * {@link dev.reasoningsdk.impl.onnx.internal.ModelFolder}, the protobuf message behind a model file). Public for
 * Java's sake only; they may change in any release. The generated protobuf classes are in {@code internal.proto}.
 */
package dev.reasoningsdk.impl.onnx.internal;
