package dev.reasoningsdk.api.prompt;

import java.util.Objects;

/**
 * One evaluated candidate of a prompt search.
 *
 * @param iteration the algorithm's iteration (generation, step) in which the candidate was scored
 * @param prompt    the candidate
 * @param edit      the edit that produced it, e.g. {@code "del[3]"}, {@code "swap[1,4]"}; {@code "initial"} first
 * @param score     its score
 * @param bestScore the best score seen so far, this one included
 * @param accepted  whether the algorithm moved to this candidate
 */
public record OptimizationStep(int iteration, String prompt, String edit, double score, double bestScore,
                               boolean accepted) {

    /** @throws IllegalArgumentException if the iteration is negative */
    public OptimizationStep {
        if (iteration < 0) {
            throw new IllegalArgumentException("iteration < 0");
        }
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(edit, "edit");
    }
}
