package dev.reasoningsdk.impl.prompt;

import java.util.Objects;

/**
 * Simulated annealing over prompt edits (Plum, Pan et al., 2024): hill climbing whose step may also move to a worse
 * best mutant, with probability {@code exp(delta / T)} where {@code delta} is the (negative) score difference and
 * the temperature at iteration {@code i} is {@code T = T_max * exp(-i / K)}, {@code T_max = 10}, {@code K = 5}
 * (Plum's defaults). The best prompt ever scored is the result, not the last one moved to. Other defaults:
 * {@link SearchSettings#defaults()}.
 */
public final class SimulatedAnnealing extends MetaheuristicOptimizer {

    /** Initial temperature. */
    public static final double DEFAULT_MAX_TEMPERATURE = 10;
    /** Cooling time constant, in iterations. */
    public static final double DEFAULT_COOLING = 5;
    private final double maxTemperature;
    private final double cooling;

    private SimulatedAnnealing(SearchSettings settings, double maxTemperature, double cooling) {
        super(settings);
        this.maxTemperature = maxTemperature;
        this.cooling = cooling;
    }

    /** Simulated annealing with Plum's defaults. */
    public static SimulatedAnnealing withDefaults() {
        return of(SearchSettings.defaults());
    }

    /** Simulated annealing with {@code settings} and Plum's schedule. */
    public static SimulatedAnnealing of(SearchSettings settings) {
        return of(settings, DEFAULT_MAX_TEMPERATURE, DEFAULT_COOLING);
    }

    /**
     * Simulated annealing with {@code settings} and the schedule {@code T = maxTemperature * exp(-i / cooling)}.
     *
     * @throws IllegalArgumentException if either parameter is not positive
     */
    public static SimulatedAnnealing of(SearchSettings settings, double maxTemperature, double cooling) {
        Objects.requireNonNull(settings, "settings");
        if (!(maxTemperature > 0) || !(cooling > 0)) {
            throw new IllegalArgumentException("maxTemperature and cooling must be > 0, were " + maxTemperature
                    + " and " + cooling);
        }
        return new SimulatedAnnealing(settings, maxTemperature, cooling);
    }

    /** The temperature at iteration {@code iteration}. */
    public double temperature(int iteration) {
        return maxTemperature * Math.exp(-iteration / cooling);
    }

    @Override
    public String name() {
        return "simulated-annealing";
    }

    @Override
    void search(SearchRun run, Candidate.Scored initial) {
        localSearch(run, initial, (delta, state) -> delta > 0
                || state.random().chance(Math.exp(delta / temperature(state.iteration()))));
    }
}
