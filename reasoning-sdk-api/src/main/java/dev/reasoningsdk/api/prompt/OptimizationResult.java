package dev.reasoningsdk.api.prompt;

import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of a prompt search.
 *
 * @param method        the optimiser's name
 * @param initialPrompt the prompt the search started from
 * @param initialScore  its score, finite (as every {@link PromptObjective.Evaluation}'s)
 * @param bestPrompt    the best prompt found (the initial one when nothing beat it)
 * @param bestScore     its score, finite
 * @param history       every evaluated candidate in evaluation order
 * @param evaluations   distinct prompts scored (cache hits not counted)
 * @param failedEvaluations evaluations that threw and were skipped
 * @param stopReason    why the search ended
 * @param usage         the objective's model calls and tokens summed, and the search's wall time
 */
public record OptimizationResult(String method, String initialPrompt, double initialScore, String bestPrompt,
                                 double bestScore, List<OptimizationStep> history, int evaluations,
                                 int failedEvaluations, StopReason stopReason, Usage usage) {

    /**
     * @throws IllegalArgumentException if a score is NaN or infinite, or the best score is below the initial score
     */
    public OptimizationResult {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(initialPrompt, "initialPrompt");
        Objects.requireNonNull(bestPrompt, "bestPrompt");
        history = List.copyOf(history);
        Objects.requireNonNull(stopReason, "stopReason");
        Objects.requireNonNull(usage, "usage");
        if (!Double.isFinite(initialScore)) {
            throw new IllegalArgumentException("initialScore must be finite, was " + initialScore);
        }
        if (!Double.isFinite(bestScore)) {
            throw new IllegalArgumentException("bestScore must be finite, was " + bestScore);
        }
        if (bestScore < initialScore) {
            throw new IllegalArgumentException("best score " + bestScore + " < initial score " + initialScore);
        }
    }

}
