package dev.reasoningsdk.impl.spark;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.prompt.OptimizationResult;
import dev.reasoningsdk.api.prompt.PromptObjective;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.prompt.CandidateEvaluator;
import dev.reasoningsdk.impl.prompt.MetaheuristicOptimizer;
import dev.reasoningsdk.impl.prompt.RunOptions;
import dev.reasoningsdk.impl.spark.internal.PartitionJob;
import dev.reasoningsdk.impl.spark.internal.UsageColumns;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Scores each generation of a metaheuristic prompt search (Plum's hill climbing, annealing, genetic, tabu and
 * harmony searches) as one Spark job: the generation's prompts are spread over {@code partitions} tasks, each
 * executor scores its prompts with the objective it built once from an {@link ExecutorResource} (an encoder
 * classifier over a labelled dev set, a remote model's accuracy...), and the scores come back to the driver, where
 * the search takes every decision from its seeded random source, in candidate order. The same seed therefore gives
 * the same history and best prompt as the in-process run with the same objective.
 *
 * <pre>{@code
 * SparkCandidateEvaluator cluster = SparkCandidateEvaluator.builder().spark(spark).objective(devSetObjective).build();
 * OptimizationResult result = cluster.optimize(HillClimbing.builder().settings(settings).build(), initialPrompt);
 * }</pre>
 *
 * <p>A generation is one job, so a job costs a scheduling round trip (tens of milliseconds locally, more on a
 * cluster): worth it when one evaluation is long (a large dev set, a remote model). Defaults: the session's default
 * parallelism as the partition count, no call limits. Thread-safe; one search at a time per session is advised.
 */
public final class SparkCandidateEvaluator implements CandidateEvaluator {

    private static final StructType INPUT = new StructType().add("index", DataTypes.IntegerType, false)
            .add("prompt", DataTypes.StringType, false);
    private static final StructType OUTPUT = new StructType().add("index", DataTypes.IntegerType, false)
            .add("score", DataTypes.DoubleType, false)
            .add("failure", DataTypes.StringType, true)
            .add("usage", UsageColumns.TYPE, false);

    private final SparkSession spark;
    private final ExecutorResource<? extends PromptObjective> objective;
    private final int partitions;
    private final CallLimits callLimits;

    private SparkCandidateEvaluator(Builder builder) {
        this.spark = builder.spark;
        this.objective = builder.objective;
        this.partitions = builder.partitions > 0 ? builder.partitions
                : Math.max(1, builder.spark.sparkContext().defaultParallelism());
        this.callLimits = builder.callLimits;
    }

    /** A builder; the session and the objective are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs {@code optimizer} from {@code initialPrompt} with every generation scored by this evaluator.
     *
     * @see MetaheuristicOptimizer#optimize(String, PromptObjective, RunOptions)
     */
    public OptimizationResult optimize(MetaheuristicOptimizer optimizer, String initialPrompt) {
        return optimize(optimizer, initialPrompt, RunOptions.builder());
    }

    /** As {@link #optimize(MetaheuristicOptimizer, String)}, with a listener, checkpoint or cancellation. */
    public OptimizationResult optimize(MetaheuristicOptimizer optimizer, String initialPrompt,
                                       RunOptions.Builder options) {
        Objects.requireNonNull(optimizer, "optimizer");
        PromptObjective onlyOnExecutors = prompt -> {
            throw new IllegalStateException("scored on the executors only");
        };
        return optimizer.optimize(initialPrompt, onlyOnExecutors, options.evaluator(this).build());
    }

    /** One Spark job over the generation; outcomes in the prompts' order. */
    @Override
    public List<Outcome> evaluate(List<String> prompts) {
        List<Row> rows = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            rows.add(RowFactory.create(i, prompts.get(i)));
        }
        Dataset<Row> input = spark.createDataFrame(rows, INPUT)
                .repartition(Math.min(partitions, Math.max(1, prompts.size())));
        PartitionJob job = PartitionJob.plan(input, callLimits, 1);
        ExecutorResource<? extends PromptObjective> resource = objective;
        List<Row> scored = new ArrayList<>(input.mapPartitions(
                (org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row>) it -> job.run(it, batch -> {
                    Row row = batch.get(0);
                    try {
                        PromptObjective.Evaluation evaluation = resource.get().evaluate(row.getString(1));
                        return List.of(RowFactory.create(row.getInt(0), evaluation.score(), null,
                                UsageColumns.row(evaluation.usage())));
                    } catch (RuntimeException e) {
                        return List.of(RowFactory.create(row.getInt(0), Double.NaN, e.toString(),
                                UsageColumns.row(Usage.NONE)));
                    }
                }), Encoders.row(OUTPUT)).collectAsList());
        scored.sort(Comparator.comparingInt(row -> row.getInt(0)));
        if (scored.size() != prompts.size()) {
            throw new IllegalStateException("the job returned " + scored.size() + " scores for " + prompts.size()
                    + " prompts");
        }
        List<Outcome> outcomes = new ArrayList<>(scored.size());
        for (Row row : scored) {
            Usage usage = UsageColumns.usage(row.getStruct(3));
            outcomes.add(row.isNullAt(2) ? new Outcome(row.getDouble(1), usage, Optional.empty())
                    : Outcome.failed(row.getString(2), usage));
        }
        return outcomes;
    }

    /** Builds a {@link SparkCandidateEvaluator}. Not thread-safe. */
    public static final class Builder {
        private SparkSession spark;
        private ExecutorResource<? extends PromptObjective> objective;
        private int partitions;
        private CallLimits callLimits;

        private Builder() {
        }

        /** The driver's session (required). */
        public Builder spark(SparkSession spark) {
            this.spark = Objects.requireNonNull(spark, "spark");
            return this;
        }

        /** The objective, built once per executor (required); it must be deterministic for reproducible runs. */
        public Builder objective(ExecutorResource<? extends PromptObjective> objective) {
            this.objective = Objects.requireNonNull(objective, "objective");
            return this;
        }

        /**
         * Tasks per generation at most (default: the session's default parallelism).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder partitions(int partitions) {
            this.partitions = Arguments.atLeast(partitions, 1, "partitions");
            return this;
        }

        /** The budget and rate of the remote model the objective calls, per generation (default none). */
        public Builder callLimits(CallLimits callLimits) {
            this.callLimits = Objects.requireNonNull(callLimits, "callLimits");
            return this;
        }

        /**
         * The evaluator.
         *
         * @throws IllegalStateException if the session or the objective is missing
         */
        public SparkCandidateEvaluator build() {
            if (spark == null || objective == null) {
                throw new IllegalStateException("a session and an objective are required");
            }
            return new SparkCandidateEvaluator(this);
        }
    }
}
