package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.impl.internal.Arguments;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Settings shared by the metaheuristic prompt optimisers: the edit space, the budget and the run's seed. Defaults
 * follow Plum's reference run ({@code main.py}): phrase-level edits {@code del, swap, sub, add}, one edit per
 * candidate, {@value #DEFAULT_CANDIDATES} candidates per step, {@value #DEFAULT_ITERATIONS} iterations, patience
 * {@value #DEFAULT_PATIENCE}, a budget of {@value #DEFAULT_MAX_EVALUATIONS} evaluations; plus seed
 * {@value #DEFAULT_SEED}, no model-call or wall-time limit, evaluations one at a time and WordNet substitutions.
 * Immutable.
 */
public final class SearchSettings {

    /** Candidates generated per step (Plum's m). */
    public static final int DEFAULT_CANDIDATES = 5;
    /** Maximum iterations. */
    public static final int DEFAULT_ITERATIONS = 10;
    /** Iterations without a new best before the search stops. */
    public static final int DEFAULT_PATIENCE = 2;
    /** Distinct prompts scored at most (the initial prompt included). */
    public static final int DEFAULT_MAX_EVALUATIONS = 1000;
    /** The default seed. */
    public static final long DEFAULT_SEED = 42;

    private final EditUnitSplitter splitter;
    private final Set<EditOperation> operations;
    private final Paraphraser paraphraser;
    private final int editsPerCandidate;
    private final int candidatesPerStep;
    private final int maxIterations;
    private final int patience;
    private final int maxEvaluations;
    private final long maxCalls;
    private final Duration deadline;
    private final int concurrency;
    private final long seed;

    private SearchSettings(Builder builder) {
        this.splitter = builder.splitter;
        this.operations = Set.copyOf(builder.operations);
        this.paraphraser = builder.paraphraser;
        this.editsPerCandidate = builder.editsPerCandidate;
        this.candidatesPerStep = builder.candidatesPerStep;
        this.maxIterations = builder.maxIterations;
        this.patience = builder.patience;
        this.maxEvaluations = builder.maxEvaluations;
        this.maxCalls = builder.maxCalls;
        this.deadline = builder.deadline;
        this.concurrency = builder.concurrency;
        this.seed = builder.seed;
    }

    /** Plum's defaults. */
    public static SearchSettings create() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.splitter = splitter;
        builder.operations = EnumSet.copyOf(operations);
        builder.paraphraser = paraphraser;
        builder.editsPerCandidate = editsPerCandidate;
        builder.candidatesPerStep = candidatesPerStep;
        builder.maxIterations = maxIterations;
        builder.patience = patience;
        builder.maxEvaluations = maxEvaluations;
        builder.maxCalls = maxCalls;
        builder.deadline = deadline;
        builder.concurrency = concurrency;
        builder.seed = seed;
        return builder;
    }

    /** How prompts are cut into edit units. */
    public EditUnitSplitter splitter() {
        return splitter;
    }

    /** The edit operations in use. */
    public Set<EditOperation> operations() {
        return operations;
    }

    /** Where {@code sub} edits come from. */
    public Paraphraser paraphraser() {
        return paraphraser;
    }

    /** Edits composed into one candidate. */
    public int editsPerCandidate() {
        return editsPerCandidate;
    }

    /** Candidates per step (Plum's m). */
    public int candidatesPerStep() {
        return candidatesPerStep;
    }

    /** Iterations at most. */
    public int maxIterations() {
        return maxIterations;
    }

    /** Iterations without a new best before stopping. */
    public int patience() {
        return patience;
    }

    /** Distinct prompts scored at most, the initial one included. */
    public int maxEvaluations() {
        return maxEvaluations;
    }

    /**
     * Model calls at most, summed over the objective's and the paraphraser's {@link dev.reasoningsdk.api.Usage}
     * ({@link Long#MAX_VALUE}, the default, for no limit). Checked before each new evaluation; with
     * {@link #concurrency()} above 1, evaluations already started in parallel may overshoot it.
     */
    public long maxCalls() {
        return maxCalls;
    }

    /**
     * {@link #maxCalls()}.
     *
     * @deprecated named {@code maxCalls} as in {@code ChatModelSampler} and {@code ModelGateway}; removed in 0.2
     */
    @Deprecated(forRemoval = true)
    public long maxModelCalls() {
        return maxCalls;
    }

    /** The wall-time budget of a whole search, if one was set. */
    public Optional<Duration> deadline() {
        return Optional.ofNullable(deadline);
    }

    /**
     * The wall-time budget, or null for none.
     *
     * @deprecated use {@link #deadline()}, named as in {@code ChatModelSampler} and {@code ModelGateway} and
     *             never null; removed in 0.2
     */
    @Deprecated(forRemoval = true)
    public Duration maxWallTime() {
        return deadline;
    }

    /** Evaluations run at once. */
    public int concurrency() {
        return concurrency;
    }

    /** The seed: equal seeds, settings and (deterministic) objectives give equal runs. */
    public long seed() {
        return seed;
    }

    /** Builds {@link SearchSettings}; every setter validates at once. */
    public static final class Builder {
        private EditUnitSplitter splitter = EditUnitSplitter.phrases();
        private Set<EditOperation> operations = EnumSet.allOf(EditOperation.class);
        private Paraphraser paraphraser = Paraphraser.installed();
        private int editsPerCandidate = 1;
        private int candidatesPerStep = DEFAULT_CANDIDATES;
        private int maxIterations = DEFAULT_ITERATIONS;
        private int patience = DEFAULT_PATIENCE;
        private int maxEvaluations = DEFAULT_MAX_EVALUATIONS;
        private long maxCalls = Long.MAX_VALUE;
        private Duration deadline;
        private int concurrency = 1;
        private long seed = DEFAULT_SEED;

        private Builder() {
        }

        /** Edit-unit level (default {@link EditUnitSplitter#phrases()}). */
        public Builder splitter(EditUnitSplitter splitter) {
            this.splitter = Objects.requireNonNull(splitter, "splitter");
            return this;
        }

        /**
         * The edit operations (default all four).
         *
         * @throws IllegalArgumentException if empty, or only {@link EditOperation#ADD} (which needs a deletion)
         */
        public Builder operations(Set<EditOperation> operations) {
            Objects.requireNonNull(operations, "operations");
            if (operations.isEmpty() || operations.equals(Set.of(EditOperation.ADD))) {
                throw new IllegalArgumentException("operations must include del, swap or sub: " + operations);
            }
            this.operations = EnumSet.copyOf(operations);
            return this;
        }

        /**
         * Where {@code sub} edits come from (default {@link Paraphraser#installed()}: WordNet when
         * {@code reasoning-sdk-wordnet} is on the class path).
         */
        public Builder paraphraser(Paraphraser paraphraser) {
            this.paraphraser = Objects.requireNonNull(paraphraser, "paraphraser");
            return this;
        }

        /** Edits per candidate, at least 1 (default 1). */
        public Builder editsPerCandidate(int edits) {
            this.editsPerCandidate = Arguments.atLeast(edits, 1, "editsPerCandidate");
            return this;
        }

        /** Candidates per step, at least 1 (default {@value #DEFAULT_CANDIDATES}). */
        public Builder candidatesPerStep(int candidates) {
            this.candidatesPerStep = Arguments.atLeast(candidates, 1, "candidatesPerStep");
            return this;
        }

        /** Iterations at most, at least 1 (default {@value #DEFAULT_ITERATIONS}). */
        public Builder maxIterations(int iterations) {
            this.maxIterations = Arguments.atLeast(iterations, 1, "maxIterations");
            return this;
        }

        /** Iterations without a new best before stopping, at least 1 (default {@value #DEFAULT_PATIENCE}). */
        public Builder patience(int patience) {
            this.patience = Arguments.atLeast(patience, 1, "patience");
            return this;
        }

        /** Distinct prompts scored at most, at least 2 (default {@value #DEFAULT_MAX_EVALUATIONS}). */
        public Builder maxEvaluations(int evaluations) {
            this.maxEvaluations = Arguments.atLeast(evaluations, 2, "maxEvaluations");
            return this;
        }

        /**
         * Model-call budget, at least 1 (default none): for objectives that call a model once or more per
         * evaluation. It counts the calls an evaluation reports in its {@code Evaluation.usage()}: an objective
         * that calls a model must report them (e.g. the sum of {@code ModelGateway.call(request).usage()}), since
         * {@code PromptObjective.of(scorer)} reports none and its search would never stop on this budget.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxCalls(long calls) {
            if (calls < 1) {
                throw new IllegalArgumentException("maxCalls must be >= 1, was " + calls);
            }
            this.maxCalls = calls;
            return this;
        }

        /**
         * {@link #maxCalls(long)}.
         *
         * @throws IllegalArgumentException if below 1
         * @deprecated named {@code maxCalls} as in {@code ChatModelSampler} and {@code ModelGateway}; removed in 0.2
         */
        @Deprecated(forRemoval = true)
        public Builder maxModelCalls(long calls) {
            return maxCalls(calls);
        }

        /**
         * The longest the whole search may take (default none).
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder deadline(Duration deadline) {
            Objects.requireNonNull(deadline, "deadline");
            if (deadline.isNegative() || deadline.isZero()) {
                throw new IllegalArgumentException("deadline must be positive, was " + deadline);
            }
            this.deadline = deadline;
            return this;
        }

        /**
         * {@link #deadline(Duration)}.
         *
         * @throws IllegalArgumentException if not positive
         * @deprecated named {@code deadline} as in {@code ChatModelSampler} and {@code ModelGateway}; removed in 0.2
         */
        @Deprecated(forRemoval = true)
        public Builder maxWallTime(Duration wallTime) {
            return deadline(wallTime);
        }

        /** Evaluations run at once, at least 1 (default 1). */
        public Builder concurrency(int concurrency) {
            this.concurrency = Arguments.atLeast(concurrency, 1, "concurrency");
            return this;
        }

        /** The seed (default {@value #DEFAULT_SEED}). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The settings. */
        public SearchSettings build() {
            return new SearchSettings(this);
        }
    }
}
