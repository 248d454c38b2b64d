package dev.reasoningsdk.api;

import dev.reasoningsdk.api.ReasoningException;

/**
 * A model could not be loaded: the file or resource is missing, unreadable, too large, not an ONNX model, or ONNX
 * Runtime rejected it. The message names the model and the reason. Not retryable: the same bytes fail the same way.
 */
public class ModelLoadException extends ReasoningException {
    private static final long serialVersionUID = 1L;

    /** A load failure with no underlying exception. */
    public ModelLoadException(String message) {
        super(message, null, false);
    }

    /** A load failure caused by {@code cause}. */
    public ModelLoadException(String message, Throwable cause) {
        super(message, cause, false);
    }
}
