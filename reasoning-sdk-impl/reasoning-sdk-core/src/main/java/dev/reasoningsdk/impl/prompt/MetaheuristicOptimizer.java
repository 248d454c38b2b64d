package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.api.prompt.OptimizationResult;
import dev.reasoningsdk.api.prompt.PromptObjective;
import dev.reasoningsdk.api.prompt.PromptOptimizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

/**
 * Base of the six Plum search algorithms ({@link HillClimbing}, {@link SimulatedAnnealing},
 * {@link GeneticAlgorithm}, {@link GeneticAlgorithmWithCrossover}, {@link TabuSearch}, {@link HarmonySearch}):
 * validates the input, runs the algorithm on a {@link SearchRun} and returns its result. Immutable and thread-safe;
 * each call to {@link #optimize} is an independent run.
 */
public abstract sealed class MetaheuristicOptimizer implements PromptOptimizer
        permits HillClimbing, SimulatedAnnealing, GeneticAlgorithm, GeneticAlgorithmWithCrossover, TabuSearch,
        HarmonySearch {

    private final SearchSettings settings;

    MetaheuristicOptimizer(SearchSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** The shared settings (edit space, budget, seed). */
    public SearchSettings settings() {
        return settings;
    }

    @Override
    public OptimizationResult optimize(String initialPrompt, PromptObjective objective) {
        return optimize(initialPrompt, objective, RunOptions.create());
    }

    /**
     * Optimises with progress events, checkpointing and cancellation.
     *
     * @throws IllegalArgumentException if the prompt has no letter in it
     * @throws IllegalStateException    if the checkpoint file belongs to another run
     * @throws dev.reasoningsdk.api.BudgetExhaustedException if the evaluation, model-call or wall-time budget ran
     *                                                       out before the initial prompt was scored
     * @throws dev.reasoningsdk.api.ReasoningException if the initial prompt cannot be scored otherwise
     */
    public OptimizationResult optimize(String initialPrompt, PromptObjective objective, RunOptions options) {
        Objects.requireNonNull(initialPrompt, "initialPrompt");
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(options, "options");
        if (!EditUnits.containsLetter(initialPrompt)) {
            throw new IllegalArgumentException("the initial prompt has no letter in it: '" + initialPrompt + "'");
        }
        try (SearchRun run = new SearchRun(name(), settings, options, objective)) {
            Candidate.Scored initial = run.start(initialPrompt);
            if (!run.stopped()) {
                search(run, initial);
            }
            return run.result();
        }
    }

    /** Runs on the common pool and stops at the next evaluation once the returned future is cancelled. */
    @Override
    public CompletableFuture<OptimizationResult> optimizeAsync(String initialPrompt, PromptObjective objective) {
        CompletableFuture<OptimizationResult> future = new CompletableFuture<>();
        ForkJoinPool.commonPool().execute(() -> {
            try {
                future.complete(optimize(initialPrompt, objective,
                        RunOptions.builder().cancelled(future::isCancelled).build()));
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        });
        return future;
    }

    /** The algorithm: iterate until {@link SearchRun#stopped()}, calling {@link SearchRun#endIteration()}. */
    abstract void search(SearchRun run, Candidate.Scored initial);

    /**
     * Plum's local search shared by hill climbing and simulated annealing: each iteration scores
     * {@code candidatesPerStep} mutants of the current prompt and moves to the best of them when {@code move} accepts
     * its score difference to the current prompt.
     */
    static void localSearch(SearchRun run, Candidate.Scored initial, Move move) {
        Candidate.Scored current = initial;
        while (!run.stopped()) {
            List<Candidate> mutants = run.mutator().mutants(current.candidate(), run.settings().candidatesPerStep());
            Candidate.Scored best = bestOf(run.evaluate(mutants));
            if (best != null && move.accepts(best.score() - current.score(), run)) {
                current = best;
                run.accept(best);
            }
            run.endIteration();
        }
    }

    /** Whether a local search moves to a candidate that differs from the current prompt's score by {@code delta}. */
    @FunctionalInterface
    interface Move {
        boolean accepts(double delta, SearchRun run);
    }

    /** The highest-scoring of {@code scored}, the first on ties; null if empty. */
    static Candidate.Scored bestOf(List<Candidate.Scored> scored) {
        Candidate.Scored best = null;
        for (Candidate.Scored candidate : scored) {
            if (best == null || candidate.score() > best.score()) {
                best = candidate;
            }
        }
        return best;
    }

    /** Tournament selection: the best of {@code size} members drawn uniformly with replacement. */
    static Candidate.Scored tournament(List<Candidate.Scored> population, int size, SearchRandom random) {
        List<Candidate.Scored> drawn = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            drawn.add(population.get(random.nextInt(population.size())));
        }
        return bestOf(drawn);
    }

    /**
     * The {@code size} best of {@code population} plus {@code newcomers} (stable on ties; a newcomer whose prompt is
     * already present is skipped). Newcomers that make it are marked accepted.
     */
    static List<Candidate.Scored> survivors(List<Candidate.Scored> population, List<Candidate.Scored> newcomers,
                                            int size, SearchRun run) {
        List<Candidate.Scored> all = new ArrayList<>(population);
        Set<String> present = new HashSet<>();
        population.forEach(member -> present.add(member.prompt()));
        for (Candidate.Scored newcomer : newcomers) {
            if (present.add(newcomer.prompt())) {
                all.add(newcomer);
            }
        }
        List<Candidate.Scored> kept = all.stream()
                .sorted(Comparator.comparingDouble(Candidate.Scored::score).reversed())
                .limit(size)
                .toList();
        for (Candidate.Scored newcomer : newcomers) {
            if (kept.contains(newcomer)) {
                run.accept(newcomer);
            }
        }
        return kept;
    }

    @Override
    public String toString() {
        return name();
    }

    /**
     * What every optimizer's builder sets: the shared {@link SearchSettings} (default
     * {@link SearchSettings#create()}). Not thread-safe.
     *
     * @param <B> the concrete builder, returned by every setter
     */
    public abstract static class Builder<B extends Builder<B>> {
        SearchSettings settings = SearchSettings.create();

        Builder() {
        }

        abstract B self();

        /** The edit space, budget and seed of the search (default {@link SearchSettings#create()}). */
        public B settings(SearchSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return self();
        }

        /** The optimizer. */
        public abstract MetaheuristicOptimizer build();
    }
}
