package dev.reasoningsdk.api.prompt;

import dev.reasoningsdk.api.Usage;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * The caller's objective: how good a prompt is, typically a score over a labelled dev set (higher is better).
 * Must be thread-safe: optimisers evaluate candidates in parallel.
 */
@FunctionalInterface
public interface PromptObjective {

    /** Scores one candidate prompt. Throwing marks the candidate as failed; the optimiser counts it and goes on. */
    Evaluation evaluate(String prompt);

    /** An objective from a plain scoring function that calls no model. */
    static PromptObjective of(ToDoubleFunction<String> scorer) {
        Objects.requireNonNull(scorer, "scorer");
        return prompt -> new Evaluation(scorer.applyAsDouble(prompt), Usage.NONE);
    }

    /**
     * A candidate's score and what computing it cost.
     *
     * @param score finite, higher is better
     * @param usage model calls, tokens and time the evaluation spent
     */
    record Evaluation(double score, Usage usage) {
        /** @throws IllegalArgumentException if the score is NaN or infinite */
        public Evaluation {
            if (!Double.isFinite(score)) {
                throw new IllegalArgumentException("score must be finite, was " + score);
            }
            Objects.requireNonNull(usage, "usage");
        }
    }
}
