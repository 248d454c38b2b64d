package dev.reasoningsdk.impl.prompt;

import java.util.List;
import java.util.Objects;

/**
 * Genetic algorithm without crossover (Plum, Pan et al., 2024, "GA"): the population starts as the initial prompt;
 * each generation picks a parent by tournament selection ({@value #DEFAULT_TOURNAMENT} members, Plum's default),
 * makes {@code candidatesPerStep} mutants of it, and keeps the {@value #DEFAULT_POPULATION} best of population and
 * mutants. Other defaults: {@link SearchSettings#defaults()}.
 */
public final class GeneticAlgorithm extends MetaheuristicOptimizer {

    /** Tournament size. */
    public static final int DEFAULT_TOURNAMENT = 3;
    /** Population kept after each generation. */
    public static final int DEFAULT_POPULATION = 10;
    private final int tournament;
    private final int population;

    private GeneticAlgorithm(SearchSettings settings, int tournament, int population) {
        super(settings);
        this.tournament = tournament;
        this.population = population;
    }

    /** The genetic algorithm with Plum's defaults. */
    public static GeneticAlgorithm withDefaults() {
        return of(SearchSettings.defaults());
    }

    /** The genetic algorithm with {@code settings}, tournament 3 and population 10. */
    public static GeneticAlgorithm of(SearchSettings settings) {
        return of(settings, DEFAULT_TOURNAMENT, DEFAULT_POPULATION);
    }

    /**
     * The genetic algorithm with {@code settings}, the given tournament and population sizes.
     *
     * @throws IllegalArgumentException if either size is below 1
     */
    public static GeneticAlgorithm of(SearchSettings settings, int tournament, int population) {
        Objects.requireNonNull(settings, "settings");
        if (tournament < 1 || population < 1) {
            throw new IllegalArgumentException("tournament and population must be >= 1, were " + tournament + ", "
                    + population);
        }
        return new GeneticAlgorithm(settings, tournament, population);
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
}
