/**
 * Model merging: the streaming merger with mergekit's methods ({@link
 * dev.reasoningsdk.impl.merge.StreamingModelMerger}, safetensors single and sharded, ONNX initializers),
 * mergekit-shaped YAML configs ({@link dev.reasoningsdk.impl.merge.MergeConfig}) and Heterogeneous Model Averaging
 * ({@link dev.reasoningsdk.impl.merge.HeterogeneousModelAveraging}). The file formats (reading, validating and
 * atomically writing safetensors, the ONNX initializer reader) live in {@code impl.merge.internal}, which is not API.
 */
package dev.reasoningsdk.impl.merge;
