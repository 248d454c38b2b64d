package dev.reasoningsdk.api.merge;

import dev.reasoningsdk.api.ReasoningException;

/**
 * A merge that could not be done: a malformed or hostile checkpoint, incompatible inputs, or an output that could
 * not be written. The message names the file, the tensor and the check that failed. Not retryable.
 */
public final class MergeException extends ReasoningException {
    private static final long serialVersionUID = 1L;

    /** A failure with a message naming file, tensor and check. */
    public MergeException(String message) {
        super(message);
    }

    /** A failure caused by an I/O or parse error. */
    public MergeException(String message, Throwable cause) {
        super(message, cause, false);
    }
}
