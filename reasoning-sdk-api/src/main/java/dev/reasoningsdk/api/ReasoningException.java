package dev.reasoningsdk.api;

/**
 * Base of the SDK's runtime failures: a model call that failed, a budget that ran out, a model or checkpoint that
 * could not be read. {@link #isRetryable()} tells a caller whether the same call may succeed if tried again.
 */
public class ReasoningException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;

    /** A failure that retrying will not fix. */
    public ReasoningException(String message) {
        this(message, null, false);
    }

    /** A failure with its cause and whether retrying may help. */
    public ReasoningException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** Whether the same operation may succeed if repeated (a timeout, a rate limit, a 5xx), as opposed to bad input. */
    public boolean isRetryable() {
        return retryable;
    }
}
