package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.api.prompt.OptimizationStep;
import java.util.Objects;
import java.util.Optional;

/**
 * A progress event of a prompt search.
 *
 * @param method          the optimiser's name
 * @param iteration       the current iteration (0 while the initial prompt is scored)
 * @param evaluations     distinct prompts scored so far
 * @param maxEvaluations  the evaluation budget
 * @param bestScore       the best score so far
 * @param lastStep        the evaluation that triggered the event; empty for an end-of-iteration event
 */
public record SearchProgress(String method, int iteration, int evaluations, int maxEvaluations, double bestScore,
                             Optional<OptimizationStep> lastStep) {

    /** @throws NullPointerException if method or lastStep is null */
    public SearchProgress {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(lastStep, "lastStep");
    }
}
