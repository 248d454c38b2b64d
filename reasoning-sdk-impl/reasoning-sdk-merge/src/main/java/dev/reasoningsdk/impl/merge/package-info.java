/**
 * Model merging: safetensors reading, validation and atomic writing ({@link
 * dev.reasoningsdk.impl.merge.SafetensorsHeader}, {@link dev.reasoningsdk.impl.merge.SafetensorsReader}, {@link
 * dev.reasoningsdk.impl.merge.SafetensorsWriter}), ONNX initializer merging, the streaming merger with mergekit's
 * methods ({@link dev.reasoningsdk.impl.merge.StreamingModelMerger}) and mergekit-shaped YAML configs ({@link
 * dev.reasoningsdk.impl.merge.MergeConfig}).
 */
package dev.reasoningsdk.impl.merge;
