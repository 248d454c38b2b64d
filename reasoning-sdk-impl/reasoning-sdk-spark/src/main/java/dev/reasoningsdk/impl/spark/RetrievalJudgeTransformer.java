package dev.reasoningsdk.impl.spark;

import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.RetrievalDecision;
import dev.reasoningsdk.api.retrieval.RetrievalJudge;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.spark.internal.PartitionJob;
import dev.reasoningsdk.impl.spark.internal.SchemaChecks;
import dev.reasoningsdk.impl.spark.internal.UsageColumns;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML {@link Transformer} that runs a {@link RetrievalJudge} (Unified Active Retrieval, Cheng et al., 2024)
 * over a query column. It adds {@code retrieve} (boolean), {@code decided_by} (the deciding criterion as the CLI names
 * it: {@code intent}, {@code knowledge}, {@code time}, {@code self-knowledge}, or {@code default} when the judge fell
 * through), the four criteria's probabilities {@code p_intent}, {@code p_knowledge}, {@code p_time} and
 * {@code p_self_knowledge} (null for a criterion the judge does not have or skipped) and {@code usage} (a struct: see
 * {@link SparkUsage}); every input column is kept.
 *
 * <p>The judge is an {@link ExecutorResource}: built once per executor JVM and shared by its tasks. Each partition
 * is judged in batches of {@code batchSize} through {@link RetrievalJudge#judgeAll(List)} (one encoder pass per
 * batch), so a row's decision is exactly what the judge gives in-process. With {@code callLimits} a remote model's
 * calls are bounded for the whole job ({@link CallLimits}). Defaults: input column {@code query}, batches of 64, no
 * call limits. A null query fails the task. Not persistable ({@code MLWritable}): the judge's recipe is code.
 * Immutable.
 */
public final class RetrievalJudgeTransformer extends Transformer {

    private static final long serialVersionUID = 1L;

    /** The columns added, in order. */
    public static final List<String> OUTPUT_COLUMNS = List.of("retrieve", "decided_by", "p_intent", "p_knowledge",
            "p_time", "p_self_knowledge", "usage");

    private final String uid;
    private final ExecutorResource<? extends RetrievalJudge> judge;
    private final String inputCol;
    private final int batchSize;
    private final CallLimits callLimits;

    private RetrievalJudgeTransformer(String uid, ExecutorResource<? extends RetrievalJudge> judge, String inputCol,
                                      int batchSize, CallLimits callLimits) {
        this.uid = uid;
        this.judge = judge;
        this.inputCol = inputCol;
        this.batchSize = batchSize;
        this.callLimits = callLimits;
    }

    /** A builder; the judge is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The judge with every default. */
    public static RetrievalJudgeTransformer of(ExecutorResource<? extends RetrievalJudge> judge) {
        return builder().judge(judge).build();
    }

    @Override
    public String uid() {
        return uid;
    }

    /**
     * @throws IllegalArgumentException if the input column is missing, not a string, or an output column exists
     */
    @Override
    public StructType transformSchema(StructType schema) {
        SchemaChecks.requireString(schema, inputCol);
        SchemaChecks.requireAbsent(schema, OUTPUT_COLUMNS);
        return schema.add("retrieve", DataTypes.BooleanType, false)
                .add("decided_by", DataTypes.StringType, false)
                .add("p_intent", DataTypes.DoubleType, true)
                .add("p_knowledge", DataTypes.DoubleType, true)
                .add("p_time", DataTypes.DoubleType, true)
                .add("p_self_knowledge", DataTypes.DoubleType, true)
                .add("usage", UsageColumns.TYPE, false);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        Dataset<Row> input = dataset.toDF();
        StructType out = transformSchema(input.schema());
        int column = input.schema().fieldIndex(inputCol);
        PartitionJob job = PartitionJob.plan(input, callLimits, batchSize);
        ExecutorResource<? extends RetrievalJudge> resource = judge;
        return input.mapPartitions(
                (org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row>) rows -> job.run(rows, batch -> {
                    List<String> queries = new ArrayList<>(batch.size());
                    for (Row row : batch) {
                        queries.add(row.getString(column));
                    }
                    List<RetrievalDecision> decisions = resource.get().judgeAll(queries);
                    List<Row> result = new ArrayList<>(batch.size());
                    for (int i = 0; i < batch.size(); i++) {
                        result.add(PartitionJob.append(batch.get(i), columns(decisions.get(i))));
                    }
                    return result;
                }), Encoders.row(out));
    }

    /** The added columns' values for one decision. */
    static Object[] columns(RetrievalDecision decision) {
        return new Object[] {decision.retrieve(), decidedBy(decision),
            decision.probability(CriterionKind.INTENT).orElse(null),
            decision.probability(CriterionKind.KNOWLEDGE).orElse(null),
            decision.probability(CriterionKind.TIME).orElse(null),
            decision.probability(CriterionKind.SELF_KNOWLEDGE).orElse(null),
            UsageColumns.row(decision.usage())};
    }

    /** The deciding criterion as the CLI names it, {@code default} when none decided. */
    public static String decidedBy(RetrievalDecision decision) {
        return decision.decidedBy().map(kind -> kind.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .orElse("default");
    }

    @Override
    public RetrievalJudgeTransformer copy(ParamMap extra) {
        return copyValues(new RetrievalJudgeTransformer(uid, judge, inputCol, batchSize, callLimits), extra);
    }

    /** Builds a {@link RetrievalJudgeTransformer}. Not thread-safe. */
    public static final class Builder {
        private ExecutorResource<? extends RetrievalJudge> judge;
        private String inputCol = "query";
        private int batchSize = 64;
        private CallLimits callLimits;

        private Builder() {
        }

        /** The judge, built once per executor (required). */
        public Builder judge(ExecutorResource<? extends RetrievalJudge> judge) {
            this.judge = Objects.requireNonNull(judge, "judge");
            return this;
        }

        /** The string column of queries (default {@code query}). */
        public Builder inputCol(String inputCol) {
            this.inputCol = SchemaChecks.columnName(inputCol, "inputCol");
            return this;
        }

        /**
         * Queries per {@code judgeAll} call (default 64).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder batchSize(int batchSize) {
            this.batchSize = Arguments.atLeast(batchSize, 1, "batchSize");
            return this;
        }

        /** The job-wide budget and rate of the remote model the judge calls (default none). */
        public Builder callLimits(CallLimits callLimits) {
            this.callLimits = Objects.requireNonNull(callLimits, "callLimits");
            return this;
        }

        /**
         * The transformer.
         *
         * @throws IllegalStateException if no judge was set
         */
        public RetrievalJudgeTransformer build() {
            if (judge == null) {
                throw new IllegalStateException("a judge is required");
            }
            return new RetrievalJudgeTransformer(Identifiable.randomUID("retrievalJudge"), judge, inputCol, batchSize,
                    callLimits);
        }
    }
}
