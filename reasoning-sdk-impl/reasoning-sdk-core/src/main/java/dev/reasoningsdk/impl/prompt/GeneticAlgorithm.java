package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.impl.internal.Arguments;
import java.util.List;

/**
 * Genetic algorithm without crossover (Plum, Pan et al., 2024, "GA"): the population starts as the initial prompt;
 * each generation picks a parent by tournament selection ({@value #DEFAULT_TOURNAMENT} members, Plum's default),
 * makes {@code candidatesPerStep} mutants of it, and keeps the {@value #DEFAULT_POPULATION} best of population and
 * mutants. Other defaults: {@link SearchSettings#create()}.
 */
public final class GeneticAlgorithm extends MetaheuristicOptimizer {

    /** Tournament size. */
    public static final int DEFAULT_TOURNAMENT = 3;
    /** Population kept after each generation. */
    public static final int DEFAULT_POPULATION = 10;
    private final int tournament;
    private final int population;

    private GeneticAlgorithm(Builder builder) {
        super(builder.settings);
        this.tournament = builder.tournament;
        this.population = builder.population;
    }

    /** The genetic algorithm with Plum's defaults. */
    public static GeneticAlgorithm create() {
        return builder().build();
    }

    /** A builder with Plum's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "genetic-algorithm";
    }

    @Override
    void search(SearchRun run, Candidate.Scored initial) {
        List<Candidate.Scored> members = List.of(initial);
        while (!run.stopped()) {
            Candidate.Scored parent = tournament(members, tournament, run.random());
            List<Candidate> mutants = run.mutator().mutants(parent.candidate(), run.settings().candidatesPerStep());
            members = survivors(members, run.evaluate(mutants), population, run);
            run.endIteration();
        }
    }

    /** Builds {@link GeneticAlgorithm}; every setting is optional. Not thread-safe. */
    public static final class Builder extends MetaheuristicOptimizer.Builder<Builder> {
        private int tournament = DEFAULT_TOURNAMENT;
        private int population = DEFAULT_POPULATION;

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Members drawn for each tournament selection (default {@value #DEFAULT_TOURNAMENT}).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder tournament(int tournament) {
            this.tournament = Arguments.atLeast(tournament, 1, "tournament");
            return this;
        }

        /**
         * Members kept after each generation (default {@value #DEFAULT_POPULATION}).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder population(int population) {
            this.population = Arguments.atLeast(population, 1, "population");
            return this;
        }

        @Override
        public GeneticAlgorithm build() {
            return new GeneticAlgorithm(this);
        }
    }
}
