package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.impl.internal.Arguments;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Tabu search over prompt edits (Plum, Pan et al., 2024): each step makes {@code candidatesPerStep} random edits of
 * the current prompt; a candidate on the tabu list (the last {@value #DEFAULT_TABU_SIZE} steps' best candidates,
 * the initial prompt first) is scored only with probability {@value #DEFAULT_TABU_PASS}; the step's best scored
 * candidate joins the tabu list, and the search moves to it if it beats the current prompt (as in Plum's
 * exact-match tabu). Other defaults: {@link SearchSettings#create()}.
 */
public final class TabuSearch extends MetaheuristicOptimizer {

    /** Length of the tabu list. */
    public static final int DEFAULT_TABU_SIZE = 5;
    /** Probability that a tabu candidate is scored anyway. */
    public static final double DEFAULT_TABU_PASS = 0.5;
    private final int tabuSize;
    private final double tabuPass;

    private TabuSearch(Builder builder) {
        super(builder.settings);
        this.tabuSize = builder.tabuSize;
        this.tabuPass = builder.tabuPass;
    }

    /** Tabu search with Plum's defaults. */
    public static TabuSearch create() {
        return builder().build();
    }

    /** A builder with Plum's defaults. */
    public static Builder builder() {
        return new Builder();
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

    /** Builds {@link TabuSearch}; every setting is optional. Not thread-safe. */
    public static final class Builder extends MetaheuristicOptimizer.Builder<Builder> {
        private int tabuSize = DEFAULT_TABU_SIZE;
        private double tabuPass = DEFAULT_TABU_PASS;

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * How many recent steps' best prompts the tabu list holds (default {@value #DEFAULT_TABU_SIZE}).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder tabuSize(int tabuSize) {
            this.tabuSize = Arguments.atLeast(tabuSize, 1, "tabuSize");
            return this;
        }

        /**
         * The probability that a tabu candidate is scored anyway (default {@value #DEFAULT_TABU_PASS}).
         *
         * @throws IllegalArgumentException if outside [0, 1]
         */
        public Builder tabuPass(double tabuPass) {
            this.tabuPass = Arguments.probability(tabuPass, "tabuPass");
            return this;
        }

        @Override
        public TabuSearch build() {
            return new TabuSearch(this);
        }
    }
}
