/**
 * Not API: the checkpoint formats behind {@link dev.reasoningsdk.impl.merge.StreamingModelMerger}. Safetensors
 * headers validated in the reference implementation's order ({@code SafetensorsHeader}), read by range
 * ({@code SafetensorsReader}) and written to temporary files renamed into place ({@code SafetensorsWriter}); the ONNX
 * initializer reader and patcher ({@code OnnxModel}); the read and write sides the merger sees ({@code TensorSource},
 * {@code TensorSink}); and the file checks they share. Public for Java's sake only (the CLI's benches write and read
 * checkpoints with them); they may change in any release.
 */
package dev.reasoningsdk.impl.merge.internal;
