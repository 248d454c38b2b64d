package dev.reasoningsdk.api;

import dev.reasoningsdk.api.ReasoningException;

/**
 * ONNX Runtime failed while running a model that loaded fine (out of memory, a shape the graph rejects). Not
 * retryable by default: the same inputs usually fail the same way.
 */
public class ModelRunException extends ReasoningException {
    private static final long serialVersionUID = 1L;

    /** A run failure caused by {@code cause}. */
    public ModelRunException(String message, Throwable cause) {
        super(message, cause, false);
    }
}
