package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.prompt.PromptObjective;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Scores one generation of candidate prompts together, in place of the run's own scoring: a search given one
 * through {@link RunOptions.Builder#evaluator(CandidateEvaluator)} hands each batch of new candidates (the initial
 * prompt, each iteration's mutants, offspring or harmonies) to it at once, for example as one Spark job over a
 * cluster ({@code reasoning-sdk-spark}'s {@code SparkCandidateEvaluator}). Every decision stays on the caller's
 * thread and outcomes are used in candidate order, so with the same scores a run's history is the same as in
 * process. The evaluator must score each prompt as the run's objective would.
 */
@FunctionalInterface
public interface CandidateEvaluator {

    /**
     * Scores {@code prompts}; throwing fails the whole generation's candidates.
     *
     * @return one outcome per prompt, in order
     */
    List<Outcome> evaluate(List<String> prompts);

    /**
     * One candidate's score and cost, or why it has none.
     *
     * @param score   finite, or NaN when the evaluation failed
     * @param usage   what the evaluation spent
     * @param failure why the evaluation failed; present exactly when the score is NaN
     */
    record Outcome(double score, Usage usage, Optional<String> failure) {
        /** @throws IllegalArgumentException if the score is infinite, or NaN without a failure (or finite with one) */
        public Outcome {
            Objects.requireNonNull(usage, "usage");
            Objects.requireNonNull(failure, "failure");
            if (Double.isInfinite(score) || Double.isNaN(score) != failure.isPresent()) {
                throw new IllegalArgumentException("score " + score + " with failure " + failure);
            }
        }

        /** The outcome of a successful evaluation. */
        public static Outcome of(PromptObjective.Evaluation evaluation) {
            return new Outcome(evaluation.score(), evaluation.usage(), Optional.empty());
        }

        /** A failed evaluation. */
        public static Outcome failed(String why, Usage usage) {
            return new Outcome(Double.NaN, usage, Optional.of(Objects.requireNonNull(why, "why")));
        }
    }
}
