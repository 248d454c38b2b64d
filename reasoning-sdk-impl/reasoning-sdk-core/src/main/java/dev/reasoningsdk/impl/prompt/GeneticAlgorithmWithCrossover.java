package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.impl.internal.Arguments;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Genetic algorithm with crossover (Plum, Pan et al., 2024, "GA-C"). The population starts as
 * {@value #DEFAULT_POPULATION} copies of the initial prompt. Each generation: {@value #DEFAULT_OFFSPRING} offspring,
 * each by single-point crossover of two parents chosen by tournament selection ({@value #DEFAULT_TOURNAMENT}
 * members) — the first parent's units up to a cut, the second's from the same index on — join the population, which
 * is cut back to the best {@value #DEFAULT_POPULATION}; then each member, with probability
 * {@value #DEFAULT_MUTATION}, yields {@code candidatesPerStep} mutants, and the best {@value #DEFAULT_POPULATION} of
 * members and mutants survive. On a prompt of several lines the cut is made in one randomly chosen line, so the line
 * structure is kept. Other defaults: {@link SearchSettings#create()}.
 */
public final class GeneticAlgorithmWithCrossover extends MetaheuristicOptimizer {

    /** Population size. */
    public static final int DEFAULT_POPULATION = 10;
    /** Tournament size. */
    public static final int DEFAULT_TOURNAMENT = 2;
    /** Probability that a member is mutated in a generation. */
    public static final double DEFAULT_MUTATION = 0.5;
    /** Crossover offspring per generation. */
    public static final int DEFAULT_OFFSPRING = 5;
    private static final int CROSSOVER_ATTEMPTS = 10;
    private final int population;
    private final int tournament;
    private final double mutation;
    private final int offspring;

    private GeneticAlgorithmWithCrossover(Builder builder) {
        super(builder.settings);
        this.population = builder.population;
        this.tournament = builder.tournament;
        this.mutation = builder.mutation;
        this.offspring = builder.offspring;
    }

    /** GA-C with Plum's defaults. */
    public static GeneticAlgorithmWithCrossover create() {
        return builder().build();
    }

    /** A builder with Plum's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "genetic-algorithm-crossover";
    }

    @Override
    void search(SearchRun run, Candidate.Scored initial) {
        List<Candidate.Scored> members = new ArrayList<>(Collections.nCopies(population, initial));
        while (!run.stopped()) {
            List<Candidate> children = new ArrayList<>();
            for (int j = 0; j < offspring; j++) {
                Candidate.Scored first = tournament(members, tournament, run.random());
                Candidate.Scored second = tournament(members, tournament, run.random());
                crossover(first.candidate(), second.candidate(), run.random()).ifPresent(children::add);
            }
            members = survivors(members, run.evaluate(children), population, run);
            List<Candidate> mutants = new ArrayList<>();
            for (Candidate.Scored member : members) {
                if (run.random().chance(mutation)) {
                    mutants.addAll(run.mutator().mutants(member.candidate(), run.settings().candidatesPerStep()));
                }
            }
            members = survivors(members, run.evaluate(mutants), population, run);
            run.endIteration();
        }
    }

    /**
     * Single-point crossover on unit lists: in a random line, the child takes the first parent's units before a
     * random cut and the second parent's units from the same index on; earlier lines come from the first parent,
     * later ones from the second. The child inherits the first parent's deleted units.
     */
    static Optional<Candidate> crossover(Candidate first, Candidate second, SearchRandom random) {
        List<List<String>> a = first.units().lines();
        List<List<String>> b = second.units().lines();
        if (a.size() != b.size()) {
            return Optional.empty();
        }
        for (int attempt = 0; attempt < CROSSOVER_ATTEMPTS; attempt++) {
            int line = random.nextInt(a.size());
            List<String> lineA = a.get(line);
            List<String> lineB = b.get(line);
            int longest = Math.max(lineA.size(), lineB.size());
            int cut = longest == 0 ? 0 : random.nextInt(longest);
            List<String> joined = new ArrayList<>(lineA.subList(0, Math.min(cut, lineA.size())));
            joined.addAll(lineB.subList(Math.min(cut, lineB.size()), lineB.size()));
            List<List<String>> lines = new ArrayList<>(a.subList(0, line));
            lines.add(joined);
            lines.addAll(b.subList(line + 1, b.size()));
            EditUnits units = new EditUnits(lines);
            boolean keepsLines = joined.size() > 0 || lineA.isEmpty();
            if (keepsLines && units.hasLetterOnEveryLine()) {
                return Optional.of(Candidate.of(units, first.deleted(), "crossover[" + line + ":" + cut + "]"));
            }
        }
        return Optional.empty();
    }

    /** Builds {@link GeneticAlgorithmWithCrossover}; every setting is optional. Not thread-safe. */
    public static final class Builder extends MetaheuristicOptimizer.Builder<Builder> {
        private int population = DEFAULT_POPULATION;
        private int tournament = DEFAULT_TOURNAMENT;
        private double mutation = DEFAULT_MUTATION;
        private int offspring = DEFAULT_OFFSPRING;

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * The population size (default {@value #DEFAULT_POPULATION}).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder population(int population) {
            this.population = Arguments.atLeast(population, 1, "population");
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
         * The probability that a member is mutated in a generation (default {@value #DEFAULT_MUTATION}).
         *
         * @throws IllegalArgumentException if outside [0, 1]
         */
        public Builder mutation(double mutation) {
            this.mutation = Arguments.probability(mutation, "mutation");
            return this;
        }

        /**
         * Crossover offspring per generation, 0 for none (default {@value #DEFAULT_OFFSPRING}).
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder offspring(int offspring) {
            this.offspring = Arguments.atLeast(offspring, 0, "offspring");
            return this;
        }

        @Override
        public GeneticAlgorithmWithCrossover build() {
            return new GeneticAlgorithmWithCrossover(this);
        }
    }
}
