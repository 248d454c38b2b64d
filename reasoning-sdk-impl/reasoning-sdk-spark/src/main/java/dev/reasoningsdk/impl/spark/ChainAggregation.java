package dev.reasoningsdk.impl.spark;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.struct;

import dev.reasoningsdk.api.BudgetExhaustedException;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.Aggregator;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.spark.internal.PartitionJob;
import dev.reasoningsdk.impl.spark.internal.SchemaChecks;
import dev.reasoningsdk.impl.spark.internal.UsageColumns;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aggregates sampled chains per question with an {@link Aggregator} (majority or weighted vote, AoR, ...), as a
 * Dataset function rather than a Transformer because it changes the rows: one row per chain in, one row per question
 * out. The input has a question column and a chain column (strings), optionally a source column (for per-source
 * weights) and an order column. The output has {@code question}, {@code answer} (null when no chain had one),
 * {@code margin}, {@code chains}, {@code unparseable_chains}, {@code stop_reason}, {@code error} (null, or why the
 * question has no result) and {@code usage}.
 *
 * <p>Chains reach the aggregator in order of the order column, or without one in the order Spark read them
 * ({@code monotonically_increasing_id} before the shuffle, stable for a given input), so ties, which aggregators
 * break by the answer seen first, fall the same way on every run. The aggregator is an {@link ExecutorResource}.
 * Defaults: columns {@code question} and {@code chain}, no source or order column, 64 questions at a time, no call
 * limits. Immutable and serializable.
 */
public final class ChainAggregation implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ChainAggregation.class);

    /** The output schema. */
    public static final StructType OUTPUT = new StructType()
            .add("question", DataTypes.StringType, false)
            .add("answer", DataTypes.StringType, true)
            .add("margin", DataTypes.DoubleType, true)
            .add("chains", DataTypes.IntegerType, false)
            .add("unparseable_chains", DataTypes.IntegerType, true)
            .add("stop_reason", DataTypes.StringType, true)
            .add("error", DataTypes.StringType, true)
            .add("usage", UsageColumns.TYPE, false);

    private final ExecutorResource<? extends Aggregator> aggregator;
    private final String questionCol;
    private final String chainCol;
    private final String sourceCol;
    private final String orderCol;
    private final int batchSize;
    private final CallLimits callLimits;

    private ChainAggregation(Builder builder) {
        this.aggregator = builder.aggregator;
        this.questionCol = builder.questionCol;
        this.chainCol = builder.chainCol;
        this.sourceCol = builder.sourceCol;
        this.orderCol = builder.orderCol;
        this.batchSize = builder.batchSize;
        this.callLimits = builder.callLimits;
    }

    /** A builder; the aggregator is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The aggregator with every default. */
    public static ChainAggregation of(ExecutorResource<? extends Aggregator> aggregator) {
        return builder().aggregator(aggregator).build();
    }

    /**
     * One row per question: the aggregated answer, margin and cost.
     *
     * @throws IllegalArgumentException if a column is missing or not a string (the order column may be any
     *                                  orderable type)
     */
    public Dataset<Row> apply(Dataset<?> chains) {
        Dataset<Row> input = chains.toDF();
        SchemaChecks.requireString(input.schema(), questionCol);
        SchemaChecks.requireString(input.schema(), chainCol);
        if (sourceCol != null) {
            SchemaChecks.requireString(input.schema(), sourceCol);
        }
        Column order = orderCol == null ? monotonically_increasing_id() : col(orderCol);
        if (orderCol != null) {
            SchemaChecks.type(input.schema(), orderCol);
        }
        Column source = sourceCol == null ? lit("") : col(sourceCol);
        Dataset<Row> grouped = input.select(col(questionCol).as("q"), struct(order.as("o"), col(chainCol).as("c"),
                        source.as("s")).as("chain"))
                .groupBy("q").agg(array_sort(collect_list("chain")).as("chains"));
        PartitionJob job = PartitionJob.plan(grouped, callLimits, batchSize);
        ExecutorResource<? extends Aggregator> resource = aggregator;
        return grouped.mapPartitions(
                (org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row>) rows -> job.run(rows, batch -> {
                    List<Row> result = new ArrayList<>(batch.size());
                    for (Row row : batch) {
                        result.add(aggregate(resource.get(), row));
                    }
                    return result;
                }), Encoders.row(OUTPUT));
    }

    private static Row aggregate(Aggregator aggregator, Row grouped) {
        String question = grouped.getString(0);
        List<Row> structs = grouped.getList(1);
        List<ReasoningChain> chains = new ArrayList<>(structs.size());
        for (Row chain : structs) {
            chains.add(ReasoningChain.of(Objects.toString(chain.getString(1), ""),
                    Objects.toString(chain.getString(2), "")));
        }
        try {
            AggregationResult result = aggregator.aggregate(question, chains);
            return RowFactory.create(question, result.answer().orElse(null), result.margin(), chains.size(),
                    result.unparseableChains(), result.stopReason().name(), null, UsageColumns.row(result.usage()));
        } catch (RuntimeException e) {
            LOG.warn("aggregation failed for a question: {}", e.toString());
            Usage usage = e instanceof BudgetExhaustedException budget ? budget.usage() : Usage.NONE;
            return RowFactory.create(question, null, null, chains.size(), null, null,
                    e.getClass().getSimpleName() + ": " + e.getMessage(), UsageColumns.row(usage));
        }
    }

    /** Builds a {@link ChainAggregation}. Not thread-safe. */
    public static final class Builder {
        private ExecutorResource<? extends Aggregator> aggregator;
        private String questionCol = "question";
        private String chainCol = "chain";
        private String sourceCol;
        private String orderCol;
        private int batchSize = 64;
        private CallLimits callLimits;

        private Builder() {
        }

        /** The aggregator, built once per executor (required). */
        public Builder aggregator(ExecutorResource<? extends Aggregator> aggregator) {
            this.aggregator = Objects.requireNonNull(aggregator, "aggregator");
            return this;
        }

        /** The question column (default {@code question}). */
        public Builder questionCol(String questionCol) {
            this.questionCol = SchemaChecks.columnName(questionCol, "questionCol");
            return this;
        }

        /** The chain text column (default {@code chain}). */
        public Builder chainCol(String chainCol) {
            this.chainCol = SchemaChecks.columnName(chainCol, "chainCol");
            return this;
        }

        /** The chain's source column, for per-source weights (default none: every source is empty). */
        public Builder sourceCol(String sourceCol) {
            this.sourceCol = SchemaChecks.columnName(sourceCol, "sourceCol");
            return this;
        }

        /** The column that orders a question's chains (default none: the order they were read in). */
        public Builder orderCol(String orderCol) {
            this.orderCol = SchemaChecks.columnName(orderCol, "orderCol");
            return this;
        }

        /**
         * Questions read from a partition at a time (default 64).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder batchSize(int batchSize) {
            this.batchSize = Arguments.atLeast(batchSize, 1, "batchSize");
            return this;
        }

        /** The job-wide budget and rate of the remote model the aggregator calls (default none). */
        public Builder callLimits(CallLimits callLimits) {
            this.callLimits = Objects.requireNonNull(callLimits, "callLimits");
            return this;
        }

        /**
         * The aggregation.
         *
         * @throws IllegalStateException if no aggregator was set
         */
        public ChainAggregation build() {
            if (aggregator == null) {
                throw new IllegalStateException("an aggregator is required");
            }
            return new ChainAggregation(this);
        }
    }
}
