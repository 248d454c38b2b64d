package dev.reasoningsdk.api.model;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of one {@link ChainSampler#sample} call.
 *
 * @param requested how many samples were asked for
 * @param samples   the successful samples, in index order
 * @param failures  the samples that failed for good, with why
 * @param stopReason why the batch ended ({@link StopReason#COMPLETED} when every sample was attempted)
 * @param usage     samples, model calls (retries included), failed calls, tokens, wall time
 */
public record SampleBatch(int requested, List<Sample> samples, List<SampleFailure> failures, StopReason stopReason,
                          Usage usage) {

    /**
     * @throws IllegalArgumentException if {@code requested} is negative or more samples and failures are reported
     *                                  than requested
     */
    public SampleBatch {
        requireNotNegative("requested", requested);
        samples = List.copyOf(samples);
        failures = List.copyOf(failures);
        Objects.requireNonNull(stopReason, "stopReason");
        Objects.requireNonNull(usage, "usage");
        if (samples.size() + failures.size() > requested) {
            throw new IllegalArgumentException("more results than requested samples");
        }
    }

    /** Whether fewer samples succeeded than were requested. */
    public boolean isShort() {
        return samples.size() < requested;
    }

    /**
     * How many samples were cut off at the token limit and left out ({@link FailureKind#TRUNCATED}); 0 when the
     * sampler keeps them as samples.
     */
    public int truncatedSamples() {
        return (int) failures.stream().filter(failure -> failure.kind() == FailureKind.TRUNCATED).count();
    }

    /** The sample texts as chains from {@code source}, with their token log-probabilities where known. */
    public List<ReasoningChain> chains(String source) {
        return samples.stream()
                .map(sample -> new ReasoningChain(sample.text(), source, 1.0, sample.tokenLogProbs()))
                .toList();
    }

    /**
     * One successful sample.
     *
     * @param index        position in the batch, 0-based
     * @param text         the response text
     * @param inputTokens  prompt tokens of the sample's reply, plus those of any reply refused before it as unusable
     *                     (an empty answer retried: the provider billed it, and the batch's {@link Usage} counts it),
     *                     or {@link Usage#UNKNOWN_TOKENS} when one of them did not report them
     * @param outputTokens generated tokens, counted as {@code inputTokens}
     * @param attempts     calls made for this sample (1 without retries)
     * @param tokenLogProbs the generated tokens with their log-probabilities (and top alternatives where asked
     *                      for), as the model or server returned them; empty when it returned none
     */
    public record Sample(int index, String text, long inputTokens, long outputTokens, int attempts,
                         List<TokenLogProb> tokenLogProbs) {
        /**
         * @throws IllegalArgumentException if the index or attempts is negative, or a token count is negative and
         *                                  not {@link Usage#UNKNOWN_TOKENS}
         * @throws NullPointerException     if text or tokenLogProbs is null
         */
        public Sample {
            Objects.requireNonNull(text, "text");
            tokenLogProbs = List.copyOf(tokenLogProbs);
            requireNotNegative("index", index);
            requireNotNegative("attempts", attempts);
            requireTokenCount("inputTokens", inputTokens);
            requireTokenCount("outputTokens", outputTokens);
        }

        /**
         * A sample without token log-probabilities.
         *
         * @throws IllegalArgumentException as the canonical constructor
         * @throws NullPointerException     if text is null
         */
        public Sample(int index, String text, long inputTokens, long outputTokens, int attempts) {
            this(index, text, inputTokens, outputTokens, attempts, List.of());
        }
    }

    /**
     * One sample that failed for good.
     *
     * @param index        position in the batch
     * @param kind         the kind of failure
     * @param message      what went wrong
     * @param attempts     calls made for this sample
     * @param inputTokens  prompt tokens of every reply the sample's calls received: the one a
     *                     {@link FailureKind#TRUNCATED} failure was read from, each one refused as unusable
     *                     ({@link FailureKind#GARBAGE}, every attempt of it, retries included, and one refused before
     *                     a failure of another kind), as the batch's {@link Usage} counts them; or
     *                     {@link Usage#UNKNOWN_TOKENS} when one of those replies did not report them; 0 when no reply
     *                     came (a timeout, an HTTP error, a refusal by the budget), as a call that failed without a
     *                     reply adds no tokens to the usage
     * @param outputTokens tokens generated in those replies, as {@code inputTokens}: what a method that drew the
     *                     sample paid for it though it never voted
     */
    public record SampleFailure(int index, FailureKind kind, String message, int attempts, long inputTokens,
                                long outputTokens) {
        /**
         * @throws IllegalArgumentException if the index or attempts is negative, or a token count is negative and
         *                                  not {@link Usage#UNKNOWN_TOKENS}
         * @throws NullPointerException     if kind or message is null
         */
        public SampleFailure {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
            requireNotNegative("index", index);
            requireNotNegative("attempts", attempts);
            requireTokenCount("inputTokens", inputTokens);
            requireTokenCount("outputTokens", outputTokens);
        }

        /**
         * A failure that got no reply, so carries no tokens (0 each).
         *
         * @throws IllegalArgumentException as the canonical constructor
         * @throws NullPointerException     if kind or message is null
         */
        public SampleFailure(int index, FailureKind kind, String message, int attempts) {
            this(index, kind, message, attempts, 0, 0);
        }
    }

    /** Kinds of sample failure. */
    public enum FailureKind {
        /** Retries ran out (or no time was left for one) and the last attempt timed out. */
        TIMEOUT,
        /** A transient error (HTTP 408/429/5xx, I/O) persisted through all retries. */
        TRANSIENT_EXHAUSTED,
        /** A permanent error (bad request, authentication): not retried. */
        PERMANENT,
        /**
         * The server asked to wait (a 429 or 503 with {@code Retry-After}) longer than the retry policy's backoff cap
         * or than the time left before the deadline: not retryable now, so the sample failed at once without waiting.
         * The message says how long the server asked for; a later batch may succeed.
         */
        RETRY_LATER,
        /**
         * The model answered, but with nothing usable (empty or malformed), also on its retry where the sampler
         * retries one. Each reply still cost what the provider billed: its tokens are in the batch's usage and in the
         * failure's {@link SampleFailure#inputTokens()} and {@link SampleFailure#outputTokens()}, every attempt's.
         */
        GARBAGE,
        /** Not attempted, or not finished, because the call or token budget or the deadline ran out. */
        BUDGET_EXHAUSTED,
        /** Not completed because the batch was cancelled. */
        CANCELLED,
        /**
         * The model stopped at its token limit (finish reason {@code length} over HTTP; the local model's
         * {@code MAX_NEW_TOKENS} or {@code CONTEXT_LENGTH}) before it finished: the chain never reached its answer,
         * and its last number is scratch work. Self-consistency counts only finished chains (Wang et al., ICLR
         * 2023), so a sampler reports such a sample as this failure, which no vote sees, unless it was built with
         * {@code keepTruncated(true)}. The call itself succeeded and its tokens are in the batch's usage and in the
         * failure's {@link SampleFailure#inputTokens()} and {@link SampleFailure#outputTokens()}.
         */
        TRUNCATED
    }

    /** The one check of a token count a sample or a failure carries. */
    private static void requireTokenCount(String name, long value) {
        if (value < Usage.UNKNOWN_TOKENS) {
            throw new IllegalArgumentException(name + " must be >= 0 or UNKNOWN_TOKENS, was " + value);
        }
    }

    /** The one check of a count the batch, its samples and its failures carry. */
    private static void requireNotNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
    }
}
