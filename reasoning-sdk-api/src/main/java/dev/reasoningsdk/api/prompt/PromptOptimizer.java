package dev.reasoningsdk.api.prompt;

import java.util.concurrent.CompletableFuture;

/**
 * Searches for a better prompt, black-box and gradient-free, by editing it and scoring the edits with the caller's
 * {@link PromptObjective}.
 *
 * <p>Built-ins follow Plum (Pan et al., 2024, "Plum: Prompt Learning using Metaheuristic"): hill climbing, simulated
 * annealing, genetic algorithms with and without crossover, tabu search and harmony search over phrase edits
 * (delete, swap, substitute, re-add). Runs are reproducible for a fixed seed. Implementations are thread-safe; one
 * instance may run several optimisations at once.
 */
public interface PromptOptimizer {

    /**
     * Optimises {@code initialPrompt} against {@code objective}, within the optimiser's budget.
     *
     * @throws IllegalArgumentException if the prompt has no letter in it
     */
    OptimizationResult optimize(String initialPrompt, PromptObjective objective);

    /** {@link #optimize} on the common pool; built-ins stop at the next evaluation when the future is cancelled. */
    default CompletableFuture<OptimizationResult> optimizeAsync(String initialPrompt, PromptObjective objective) {
        return CompletableFuture.supplyAsync(() -> optimize(initialPrompt, objective));
    }

    /** A short stable name, e.g. {@code "harmony-search"}. */
    String name();
}
