package dev.reasoningsdk.impl.onnx;

/**
 * Where ONNX Runtime runs a model. {@link OnnxSessionFactory} turns the choice into session options.
 */
public enum ExecutionProvider {
    /** CUDA when its provider loads on this machine, otherwise CPU with one warning that says why. */
    AUTO,
    /** CPU only. */
    CPU,
    /** CUDA only: opening a session fails when the CUDA provider cannot be loaded. */
    CUDA
}
