package dev.reasoningsdk.impl.llm;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.reasoningsdk.api.BudgetExhaustedException;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.Usage;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one protected call ({@link CallScope#call}): a response with usable text, or a failure with its
 * kind and a message, after however many attempts the retry policy allowed, with what the call cost. Never thrown:
 * the caller decides what a failure means, or calls {@link #orThrow()} for the SDK's typed exception.
 *
 * <p>{@link #usage()} counts this call alone: each attempt that reached the model is a model call, each that did not
 * yield usable text a failed call filed under its {@link CallFailure}; a reply served from a cache is a cache hit,
 * not a model call, and costs no tokens, a refused one too (a stored empty reply: the call fails as
 * {@link CallFailure#GARBAGE}, and its usage counts no failed call); {@code samples} is 0 (the caller knows whether
 * the reply is a sample). Immutable.
 */
public final class CallResult {

    private final ChatResponse response;
    private final String text;
    private final CallFailure failure;
    private final String message;
    private final int attempts;
    private final Usage usage;
    private final Usage refusedReplies;
    private final LlmCallException error;
    private final boolean retryLater;

    private CallResult(ChatResponse response, String text, CallFailure failure, String message, int attempts,
                       Usage usage, Usage refusedReplies, LlmCallException error, boolean retryLater) {
        this.response = response;
        this.text = text;
        this.failure = failure;
        this.message = message;
        this.attempts = attempts;
        this.usage = Objects.requireNonNull(usage, "usage");
        this.refusedReplies = Objects.requireNonNull(refusedReplies, "refusedReplies");
        this.error = error;
        this.retryLater = retryLater;
    }

    static CallResult answered(ChatResponse response, String text, int attempts, Usage usage, Usage refusedReplies) {
        return new CallResult(response, text, null, "", attempts, usage, refusedReplies, null, false);
    }

    static CallResult failed(CallFailure failure, String message, int attempts, Usage usage, Usage refusedReplies,
                             LlmCallException error, boolean retryLater) {
        return new CallResult(null, "", Objects.requireNonNull(failure, "failure"), message, attempts, usage,
                refusedReplies, error, retryLater);
    }

    /**
     * Whether the call returned usable text: non-blank, or any text where the caller took empty text as an answer
     * ({@link CallScope#call(ChatRequest, boolean)}).
     */
    public boolean ok() {
        return failure == null;
    }

    /** The response, when the call succeeded. */
    public Optional<ChatResponse> response() {
        return Optional.ofNullable(response);
    }

    /** The response's text; {@code ""} when the call failed. */
    public String text() {
        return text;
    }

    /**
     * Why the call failed, when it did: the kind of its last failed attempt, {@link CallFailure#GARBAGE} when the
     * model answered nothing usable, {@link CallFailure#BUDGET_EXHAUSTED} when the scope's calls, tokens or deadline
     * ran out, {@link CallFailure#CANCELLED} when the scope was cancelled or the caller interrupted.
     */
    public Optional<CallFailure> failure() {
        return Optional.ofNullable(failure);
    }

    /** What went wrong, with the last attempt's error; {@code ""} when the call succeeded. */
    public String message() {
        return message;
    }

    /** Attempts made, cache hits included (0 when the call was refused before it started). */
    public int attempts() {
        return attempts;
    }

    /** What this call cost (see the class description). */
    public Usage usage() {
        return usage;
    }

    /**
     * What the replies this call received and refused as unusable cost ({@link CallFailure#GARBAGE}: no message, or
     * blank text, retried or not): one failed model call each, with the tokens each reported
     * ({@link Usage#UNKNOWN_TOKENS} where one reported none), as the provider bills them though they yielded
     * nothing. Part of {@link #usage()}, never to be added to it, except for a refused reply replayed from a cache:
     * the usage counts it as a cache hit of no tokens, and this the tokens it reported when it was stored, as a
     * replayed sample carries its stored reply's. {@link Usage#NONE} when no reply was refused. For the sampler, whose
     * samples and failures carry what their calls' replies cost, the same on a replay as when recorded.
     */
    Usage refusedReplies() {
        return refusedReplies;
    }

    /** The classified error of the last failed attempt, when an attempt threw or timed out. */
    public Optional<LlmCallException> error() {
        return Optional.ofNullable(error);
    }

    /**
     * Whether sending this call's request again cannot succeed: its scope ran out or was cancelled, or the provider
     * refused the request itself ({@link CallFailure#CLIENT_ERROR}: a prompt over its context, a bad request, no
     * key), which it refuses every time it is sent unchanged. False when the call succeeded. For a caller whose next
     * attempt would repeat the request, as a judge's or a verbalized confidence's attempts do.
     */
    public boolean endsAttempts() {
        return failure == CallFailure.BUDGET_EXHAUSTED || failure == CallFailure.CANCELLED
                || failure == CallFailure.CLIENT_ERROR;
    }

    /**
     * Whether the server asked to wait (a 429 or 503 with Retry-After) longer than the retry policy's backoff cap or
     * than the time left before the deadline, so the call failed at once without waiting; a later call may succeed.
     */
    public boolean isRetryLater() {
        return retryLater;
    }

    /**
     * The response, or the SDK's typed exception for the failure: {@link BudgetExhaustedException} for a spent
     * budget or deadline; {@link LlmCallException} for a failed attempt, with its status, Retry-After and
     * retryability; a retryable {@link ReasoningException} for an unusable reply; a non-retryable one for a cancelled
     * call. Each carries this call's usage ({@link ReasoningException#usage()}).
     *
     * @throws ReasoningException if the call failed
     */
    public ChatResponse orThrow() {
        return orThrow(usage);
    }

    /**
     * As {@link #orThrow()}, the exception carrying {@code spent} instead of this call's usage: for a caller that
     * made other calls before or beside this one (its scope's {@link CallScope#usage()}), whose exception says what
     * they all cost.
     *
     * @throws ReasoningException   if the call failed
     * @throws NullPointerException if {@code spent} is null
     */
    public ChatResponse orThrow(Usage spent) {
        Objects.requireNonNull(spent, "spent");
        if (ok()) {
            return response;
        }
        if (failure == CallFailure.BUDGET_EXHAUSTED) {
            throw new BudgetExhaustedException(message, spent);
        }
        if (failure == CallFailure.CANCELLED) {
            throw new ReasoningException(message, error, false, spent);
        }
        if (error != null) {
            throw new LlmCallException(message, error, error.isRetryable(), error.isTimeout(),
                    error.statusCode().orElse(-1), error.retryAfter().orElse(null), spent);
        }
        throw new ReasoningException(message, null, true, spent);
    }

    @Override
    public String toString() {
        return ok() ? "CallResult[ok, " + attempts + " attempts]"
                : "CallResult[" + failure + ", " + attempts + " attempts: " + message + "]";
    }
}
