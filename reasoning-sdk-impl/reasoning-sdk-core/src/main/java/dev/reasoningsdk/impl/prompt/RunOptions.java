package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.impl.internal.Arguments;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Per-run options of a metaheuristic prompt search: a progress listener, a checkpoint file, a cancellation signal
 * and where candidates are scored. Defaults ({@link #create()}): no listener, no checkpoint, a checkpoint every
 * iteration when there is one, never cancelled, scored by the objective in process. Immutable.
 *
 * <p>With a checkpoint file, the run writes its evaluations there (JSON) every {@code checkpointEvery} iterations
 * and at the end. If the file exists when a run starts, the run resumes from it: a seeded search replays its
 * decisions, taking every score already in the file instead of calling the objective again, and so continues where
 * the interrupted run stopped. The file must come from the same optimiser, seed and initial prompt.
 */
public final class RunOptions {

    private final SearchListener listener;
    private final Optional<Path> checkpoint;
    private final int checkpointEvery;
    private final BooleanSupplier cancelled;
    private final Optional<CandidateEvaluator> evaluator;

    private RunOptions(Builder builder) {
        this.listener = builder.listener;
        this.checkpoint = Optional.ofNullable(builder.checkpoint);
        this.checkpointEvery = builder.checkpointEvery;
        this.cancelled = builder.cancelled;
        this.evaluator = Optional.ofNullable(builder.evaluator);
    }

    /** The defaults: no listener, no checkpoint, never cancelled. */
    public static RunOptions create() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Progress events. */
    public SearchListener listener() {
        return listener;
    }

    /** The checkpoint file, if any. */
    public Optional<Path> checkpoint() {
        return checkpoint;
    }

    /** Iterations between checkpoint writes, at least 1. */
    public int checkpointEvery() {
        return checkpointEvery;
    }

    /** Polled before each evaluation; true stops the run with {@code CANCELLED}. */
    public BooleanSupplier cancelled() {
        return cancelled;
    }

    /** What scores each generation in place of the objective, if set. */
    public Optional<CandidateEvaluator> evaluator() {
        return evaluator;
    }

    /** Builds {@link RunOptions}; every setting is optional. Not thread-safe. */
    public static final class Builder {
        private SearchListener listener = SearchListener.none();
        private Path checkpoint;
        private int checkpointEvery = 1;
        private BooleanSupplier cancelled = () -> false;
        private CandidateEvaluator evaluator;

        private Builder() {
        }

        /** Receives progress events (default none). */
        public Builder listener(SearchListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Checkpoints to, and resumes from, {@code file} (default no checkpoint). */
        public Builder checkpoint(Path file) {
            this.checkpoint = Objects.requireNonNull(file, "checkpoint");
            return this;
        }

        /**
         * Writes the checkpoint every {@code iterations} iterations (default 1).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder checkpointEvery(int iterations) {
            this.checkpointEvery = Arguments.atLeast(iterations, 1, "checkpointEvery");
            return this;
        }

        /** Stops the run at the next evaluation once {@code signal} returns true (default never). */
        public Builder cancelled(BooleanSupplier signal) {
            this.cancelled = Objects.requireNonNull(signal, "cancelled");
            return this;
        }

        /**
         * Scores each generation's new candidates with {@code evaluator}, in one call per generation, instead of
         * calling the objective given to {@code optimize} (default: the objective, one call per candidate on the
         * search's own threads). The budgets are checked as for a parallel run: before the generation is handed
         * over.
         */
        public Builder evaluator(CandidateEvaluator evaluator) {
            this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
            return this;
        }

        /** The options. */
        public RunOptions build() {
            return new RunOptions(this);
        }
    }
}
