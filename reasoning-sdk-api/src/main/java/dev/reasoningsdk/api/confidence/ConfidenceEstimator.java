package dev.reasoningsdk.api.confidence;

import dev.reasoningsdk.api.ReasoningChain;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Estimates how far an answer can be trusted: a confidence in [0, 1] with a short rationale.
 *
 * <p>Built-ins (in {@code reasoning-sdk-impl}): sampling consistency (Wang et al., 2023, self-consistency; with
 * Active-Prompt's disagreement, entropy and variance), verbalized confidence with self-reflection (SaySelf, Xu et
 * al., 2024), token probability (and R-Tuning's "I am sure" score, Zhang et al., 2024), and a learned combiner.
 * Pair an estimator with a {@link Calibrator} so its numbers mean what they say. Implementations are thread-safe.
 */
public interface ConfidenceEstimator {

    /**
     * Answers the question with the configured model and estimates the confidence of that answer.
     *
     * @throws IllegalStateException if this estimator was built without a model
     */
    ConfidenceEstimate estimate(String question);

    /**
     * Estimates the confidence of the answer chosen from chains the caller already has (for consistency: the
     * majority answer of the samples; for single-response estimators: the first chain's answer).
     *
     * @throws IllegalArgumentException if {@code samples} is empty
     */
    ConfidenceEstimate estimate(String question, List<ReasoningChain> samples);

    /** {@link #estimate(String)} on the common pool. */
    default CompletableFuture<ConfidenceEstimate> estimateAsync(String question) {
        return CompletableFuture.supplyAsync(() -> estimate(question));
    }

    /** A short stable name, e.g. {@code "consistency"}, used as the estimate's method. */
    String name();
}
