package dev.reasoningsdk.api;

/**
 * Why a model call failed: one vocabulary for every failed call a {@link Usage} counts
 * ({@link Usage#failuresByKind()}) and for the outcome of one protected call. Transient kinds
 * ({@link #TIMEOUT}, {@link #RATE_LIMITED}, {@link #SERVER_ERROR}, {@link #CONNECTION}) are worth retrying; the
 * others are not, except {@link #GARBAGE}, which a caller may retry once.
 */
public enum CallFailure {
    /** No response within the call timeout, or the provider reported a timeout (HTTP 408 included). */
    TIMEOUT,
    /** The provider refused the call for its rate limit (HTTP 429), with or without a Retry-After. */
    RATE_LIMITED,
    /** The provider failed (HTTP 5xx). */
    SERVER_ERROR,
    /** The connection failed or broke (refused, reset, an I/O error while reading the reply). */
    CONNECTION,
    /** The provider refused the request itself (HTTP 4xx other than 408 and 429: bad request, authentication). */
    CLIENT_ERROR,
    /** The call returned, but with nothing usable: no message, empty text, or a body that is not valid JSON. */
    GARBAGE,
    /** The caller cancelled the call while it was in flight. */
    CANCELLED,
    /**
     * A call, token or time budget ran out: the call was cut at the deadline while in flight (a failed call), or it
     * was refused before it started (then not a model call at all, and not counted in {@link Usage}).
     */
    BUDGET_EXHAUSTED,
    /**
     * Anything else: an unrecognised exception from the model, or a failed call counted without a kind (the
     * six-argument {@link Usage} constructor files every failed call here).
     */
    OTHER;

    /** Whether a failure of this kind may pass if the same call is repeated later. */
    public boolean isTransient() {
        return this == TIMEOUT || this == RATE_LIMITED || this == SERVER_ERROR || this == CONNECTION;
    }
}
