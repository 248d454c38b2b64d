package dev.reasoningsdk.api.prompt;

import java.util.Objects;

/**
 * One evaluated candidate of a prompt search.
 *
 * @param iteration the algorithm's iteration (generation, step) in which the candidate was scored
 * @param prompt    the candidate
 * @param edit      the edit that produced it, e.g. {@code "del[3]"}, {@code "swap[1,4]"}; {@code "initial"} first
 * @param score     its score, finite (a failed evaluation is not a step: it counts in
 *                  {@link OptimizationResult#failedEvaluations()})
 * @param bestScore the best score seen so far, this one included; finite
 * @param accepted  whether the algorithm moved to this candidate
 */
public record OptimizationStep(int iteration, String prompt, String edit, double score, double bestScore,
                               boolean accepted) {

    /** @throws IllegalArgumentException if the iteration is negative or a score is NaN or infinite */
    public OptimizationStep {
        if (iteration < 0) {
            throw new IllegalArgumentException("iteration must be >= 0, was " + iteration);
        }
        if (!Double.isFinite(score)) {
            throw new IllegalArgumentException("score must be finite, was " + score);
        }
        if (!Double.isFinite(bestScore)) {
            throw new IllegalArgumentException("bestScore must be finite, was " + bestScore);
        }
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(edit, "edit");
    }
}
