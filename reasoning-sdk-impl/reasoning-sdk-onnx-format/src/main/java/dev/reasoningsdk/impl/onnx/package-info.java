/**
 * The ONNX model file without ONNX Runtime: {@link dev.reasoningsdk.impl.onnx.ModelSource} (where a model's bytes
 * come from) and {@link dev.reasoningsdk.impl.onnx.OnnxModelFile} (read, check, rewrite initializers and metadata,
 * write atomically). The merger depends on this artifact alone; {@code reasoning-sdk-onnx} adds the runtime.
 */
package dev.reasoningsdk.impl.onnx;
