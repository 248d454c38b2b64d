package dev.reasoningsdk.impl.prompt;

/**
 * Hill climbing over prompt edits (Plum, Pan et al., 2024, Algorithm "HC"; the search of GrIPS, Prasad et al.,
 * 2023): each step makes {@code candidatesPerStep} (m, default 5) random edits of the current prompt, scores them,
 * and moves to the best if it beats the current prompt. Stops after {@code patience} (default 2) steps without a new
 * best, or when the budget is spent. Other defaults: {@link SearchSettings#create()}.
 */
public final class HillClimbing extends MetaheuristicOptimizer {

    private HillClimbing(SearchSettings settings) {
        super(settings);
    }

    /** Hill climbing with Plum's defaults. */
    public static HillClimbing create() {
        return builder().build();
    }

    /** A builder with Plum's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "hill-climbing";
    }

    @Override
    void search(SearchRun run, Candidate.Scored initial) {
        localSearch(run, initial, (delta, state) -> delta > 0);
    }

    /** Builds {@link HillClimbing}; its only setting is {@link #settings}. Not thread-safe. */
    public static final class Builder extends MetaheuristicOptimizer.Builder<Builder> {

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        @Override
        public HillClimbing build() {
            return new HillClimbing(settings);
        }
    }
}
