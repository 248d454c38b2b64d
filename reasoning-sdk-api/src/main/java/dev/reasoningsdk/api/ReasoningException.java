package dev.reasoningsdk.api;

import java.util.Objects;

/**
 * Base of the SDK's runtime failures: a model call that failed, a budget that ran out, a model or checkpoint that
 * could not be read. {@link #isRetryable()} tells a caller whether the same call may succeed if tried again;
 * {@link #usage()} what the failed operation spent before it failed, since model calls that led to a failure were
 * made (and billed) all the same.
 *
 * <p>Serializable with its usage ({@link Usage} is serializable), so a failure sent to another JVM (a Spark driver,
 * a remote test runner) still says what it cost.
 */
public class ReasoningException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;
    private final Usage usage;

    /** A failure that retrying will not fix, thrown before any model call ({@link #usage()} is {@link Usage#NONE}). */
    public ReasoningException(String message) {
        this(message, null, false);
    }

    /**
     * A failure with its cause and whether retrying may help, from work that made no model call, or whose calls its
     * thrower does not count ({@link #usage()} is {@link Usage#NONE}).
     */
    public ReasoningException(String message, Throwable cause, boolean retryable) {
        this(message, cause, retryable, Usage.NONE);
    }

    /**
     * A failure of an operation that spent {@code usage} before it failed: every model call it made (the failed ones
     * by kind, with the tokens their replies reported), the samples it drew, its wall time.
     *
     * @param message   what went wrong
     * @param cause     the underlying failure, or null
     * @param retryable whether the same operation may succeed if repeated
     * @param usage     what the operation spent before it failed; {@link Usage#NONE} when it made no model call
     * @throws NullPointerException if {@code usage} is null
     */
    public ReasoningException(String message, Throwable cause, boolean retryable, Usage usage) {
        super(message, cause);
        this.retryable = retryable;
        this.usage = Objects.requireNonNull(usage, "usage");
    }

    /** Whether the same operation may succeed if repeated (a timeout, a rate limit, a 5xx), as opposed to bad input. */
    public boolean isRetryable() {
        return retryable;
    }

    /**
     * What the operation that failed spent before it failed, as its thrower counted it (the calls of its gateway
     * scope, or scopes); {@link Usage#NONE} when it made no model call, e.g. bad input refused before calling, or a
     * file that could not be read. An exception a provider throws for its own single call carries {@code NONE}: the
     * gateway that made the call counts it.
     */
    public Usage usage() {
        return usage;
    }
}
