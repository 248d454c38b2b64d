package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.impl.internal.Arguments;

/**
 * Simulated annealing over prompt edits (Plum, Pan et al., 2024): hill climbing whose step may also move to a worse
 * best mutant, with probability {@code exp(delta / T)} where {@code delta} is the (negative) score difference and
 * the temperature at iteration {@code i} is {@code T = T_max * exp(-i / K)}, {@code T_max = 10}, {@code K = 5}
 * (Plum's defaults). The best prompt ever scored is the result, not the last one moved to. Other defaults:
 * {@link SearchSettings#create()}.
 */
public final class SimulatedAnnealing extends MetaheuristicOptimizer {

    /** Initial temperature. */
    public static final double DEFAULT_MAX_TEMPERATURE = 10;
    /** Cooling time constant, in iterations. */
    public static final double DEFAULT_COOLING = 5;
    private final double maxTemperature;
    private final double cooling;

    private SimulatedAnnealing(Builder builder) {
        super(builder.settings);
        this.maxTemperature = builder.maxTemperature;
        this.cooling = builder.cooling;
    }

    /** Simulated annealing with Plum's defaults. */
    public static SimulatedAnnealing create() {
        return builder().build();
    }

    /** A builder with Plum's defaults. */
    public static Builder builder() {
        return new Builder();
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

    /** Builds {@link SimulatedAnnealing}; every setting is optional. Not thread-safe. */
    public static final class Builder extends MetaheuristicOptimizer.Builder<Builder> {
        private double maxTemperature = DEFAULT_MAX_TEMPERATURE;
        private double cooling = DEFAULT_COOLING;

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * {@code T_max}, the temperature at iteration 0 (default {@value #DEFAULT_MAX_TEMPERATURE}).
         *
         * @throws IllegalArgumentException if not finite and > 0
         */
        public Builder maxTemperature(double maxTemperature) {
            this.maxTemperature = Arguments.positive(maxTemperature, "maxTemperature");
            return this;
        }

        /**
         * {@code K}, the cooling time constant in iterations (default {@value #DEFAULT_COOLING}).
         *
         * @throws IllegalArgumentException if not finite and > 0
         */
        public Builder cooling(double cooling) {
            this.cooling = Arguments.positive(cooling, "cooling");
            return this;
        }

        @Override
        public SimulatedAnnealing build() {
            return new SimulatedAnnealing(this);
        }
    }
}
