package dev.reasoningsdk.impl.prompt;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * Tabu search over prompt edits (Plum, Pan et al., 2024): each step makes {@code candidatesPerStep} random edits of
 * the current prompt; a candidate on the tabu list (the last {@value #DEFAULT_TABU_SIZE} steps' best candidates,
 * the initial prompt first) is scored only with probability {@value #DEFAULT_TABU_PASS}; the step's best scored
 * candidate joins the tabu list, and the search moves to it if it beats the current prompt (as in Plum's
 * exact-match tabu). Other defaults: {@link SearchSettings#defaults()}.
 */
public final class TabuSearch extends MetaheuristicOptimizer {

    /** Length of the tabu list. */
    public static final int DEFAULT_TABU_SIZE = 5;
    /** Probability that a tabu candidate is scored anyway. */
    public static final double DEFAULT_TABU_PASS = 0.5;
    private final int tabuSize;
    private final double tabuPass;

    private TabuSearch(SearchSettings settings, int tabuSize, double tabuPass) {
        super(settings);
        this.tabuSize = tabuSize;
        this.tabuPass = tabuPass;
    }

    /** Tabu search with Plum's defaults. */
    public static TabuSearch withDefaults() {
        return of(SearchSettings.defaults());
    }

    /** Tabu search with {@code settings}, a tabu list of 5 and pass probability 0.5. */
    public static TabuSearch of(SearchSettings settings) {
        return of(settings, DEFAULT_TABU_SIZE, DEFAULT_TABU_PASS);
    }

    /**
     * Tabu search with {@code settings}, a tabu list of {@code tabuSize} prompts, and tabu candidates passing with
     * probability {@code tabuPass}.
     *
     * @throws IllegalArgumentException if {@code tabuSize < 1} or {@code tabuPass} is outside [0, 1]
     */
    public static TabuSearch of(SearchSettings settings, int tabuSize, double tabuPass) {
        Objects.requireNonNull(settings, "settings");
        if (tabuSize < 1 || !(tabuPass >= 0 && tabuPass <= 1)) {
            throw new IllegalArgumentException("need tabuSize >= 1 and tabuPass in [0, 1], got " + tabuSize + ", "
                    + tabuPass);
        }
        return new TabuSearch(settings, tabuSize, tabuPass);
    }

    @Override
    public String name() {
        return "tabu-search";
    }

    @Override
    void search(SearchRun run, Candidate.Scored initial) {
        Deque<String> tabu = new ArrayDeque<>();
        tabu.addLast(initial.prompt());
        Candidate.Scored current = initial;
        while (!run.stopped()) {
            List<Candidate> allowed = new ArrayList<>();
            for (Candidate mutant : run.mutator().mutants(current.candidate(), run.settings().candidatesPerStep())) {
                if (!tabu.contains(mutant.prompt()) || run.random().chance(tabuPass)) {
                    allowed.add(mutant);
                }
            }
            Candidate.Scored best = bestOf(run.evaluate(allowed));
            if (best != null) {
                tabu.addLast(best.prompt());
                while (tabu.size() > tabuSize) {
                    tabu.removeFirst();
                }
                if (best.score() > current.score()) {
                    current = best;
                    run.accept(best);
                }
            }
            run.endIteration();
        }
    }
}
