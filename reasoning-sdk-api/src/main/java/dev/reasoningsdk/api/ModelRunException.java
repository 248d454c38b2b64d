package dev.reasoningsdk.api;

import dev.reasoningsdk.api.ReasoningException;

/**
 * ONNX Runtime failed while running a model that loaded fine (out of memory, a shape or token id the graph
 * rejects). Every run path throws this one type, and its message names the model. Not retryable: the same inputs
 * usually fail the same way.
 */
public class ModelRunException extends ReasoningException {
    private static final long serialVersionUID = 1L;

    /** A run failure caused by {@code cause}. */
    public ModelRunException(String message, Throwable cause) {
        super(message, cause, false);
    }
}
