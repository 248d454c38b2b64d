package dev.reasoningsdk.impl.spark;

import dev.reasoningsdk.api.BudgetExhaustedException;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.confidence.Calibrator;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.confidence.ConfidenceEstimator;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.spark.internal.PartitionJob;
import dev.reasoningsdk.impl.spark.internal.SchemaChecks;
import dev.reasoningsdk.impl.spark.internal.UsageColumns;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Spark ML {@link Transformer} that attaches a confidence to each row with a {@link ConfidenceEstimator}
 * (sampling consistency, verbalized confidence, token probability...). Each row has a question column and, for
 * "score what I have", an answers column: a string (one answer) or an array of strings (sampled chains, as
 * {@link ReasoningChain#of(String)}); without an answers column the estimator answers the question itself
 * ({@link ConfidenceEstimator#estimate(String)}). It adds {@code answer}, {@code confidence} (the estimator's),
 * {@code calibrated_confidence} (through the calibrator, null without one), {@code rationale}, {@code error} (null,
 * or why the row has no estimate: the estimator threw, e.g. the job's call budget was spent) and {@code usage}.
 *
 * <p>The estimator and calibrator are {@link ExecutorResource}s, built once per executor JVM. Defaults: question
 * column {@code question}, no answers column, no calibrator, rows handled 64 at a time, no call limits. Not
 * persistable. Immutable.
 */
public final class ConfidenceTransformer extends Transformer {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ConfidenceTransformer.class);

    /** The columns added, in order. */
    public static final List<String> OUTPUT_COLUMNS = List.of("answer", "confidence", "calibrated_confidence",
            "rationale", "error", "usage");

    private final String uid;
    private final Builder settings;

    private ConfidenceTransformer(String uid, Builder settings) {
        this.uid = uid;
        this.settings = settings;
    }

    /** A builder; the estimator is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String uid() {
        return uid;
    }

    /**
     * @throws IllegalArgumentException if a column is missing or of the wrong type, or an output column exists
     */
    @Override
    public StructType transformSchema(StructType schema) {
        SchemaChecks.requireString(schema, settings.questionCol);
        if (settings.answersCol != null) {
            SchemaChecks.isStringArray(schema, settings.answersCol);
        }
        SchemaChecks.requireAbsent(schema, OUTPUT_COLUMNS);
        return schema.add("answer", DataTypes.StringType, true)
                .add("confidence", DataTypes.DoubleType, true)
                .add("calibrated_confidence", DataTypes.DoubleType, true)
                .add("rationale", DataTypes.StringType, true)
                .add("error", DataTypes.StringType, true)
                .add("usage", UsageColumns.TYPE, false);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        Dataset<Row> input = dataset.toDF();
        StructType out = transformSchema(input.schema());
        int question = input.schema().fieldIndex(settings.questionCol);
        int answers = settings.answersCol == null ? -1 : input.schema().fieldIndex(settings.answersCol);
        boolean array = answers >= 0 && SchemaChecks.isStringArray(input.schema(), settings.answersCol);
        PartitionJob job = PartitionJob.plan(input, settings.callLimits, settings.batchSize);
        ExecutorResource<? extends ConfidenceEstimator> estimator = settings.estimator;
        ExecutorResource<? extends Calibrator> calibrator = settings.calibrator;
        return input.mapPartitions(
                (org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row>) rows -> job.run(rows, batch -> {
                    List<Row> result = new ArrayList<>(batch.size());
                    for (Row row : batch) {
                        result.add(PartitionJob.append(row, estimate(row, question, answers, array,
                                estimator.get(), calibrator == null ? null : calibrator.get())));
                    }
                    return result;
                }), Encoders.row(out));
    }

    private static Object[] estimate(Row row, int question, int answers, boolean array,
                                     ConfidenceEstimator estimator, Calibrator calibrator) {
        if (row.isNullAt(question)) {
            return failed("the question is null", Usage.NONE);
        }
        try {
            ConfidenceEstimate estimate;
            if (answers < 0) {
                estimate = estimator.estimate(row.getString(question));
            } else if (row.isNullAt(answers)) {
                return failed("the answers are null", Usage.NONE);
            } else {
                List<ReasoningChain> chains = new ArrayList<>();
                if (array) {
                    for (Object text : row.getList(answers)) {
                        chains.add(ReasoningChain.of(Objects.toString(text, "")));
                    }
                } else {
                    chains.add(ReasoningChain.of(row.getString(answers)));
                }
                if (chains.isEmpty()) {
                    return failed("no answers", Usage.NONE);
                }
                estimate = estimator.estimate(row.getString(question), chains);
            }
            Double calibrated = calibrator == null ? null : calibrator.calibrate(estimate.confidence());
            return new Object[] {estimate.answer().orElse(null), estimate.confidence(), calibrated,
                estimate.rationale(), null, UsageColumns.row(estimate.usage())};
        } catch (RuntimeException e) {
            LOG.warn("confidence estimate failed: {}", e.toString());
            return failed(e.getClass().getSimpleName() + ": " + e.getMessage(),
                    e instanceof BudgetExhaustedException budget ? budget.usage() : Usage.NONE);
        }
    }

    private static Object[] failed(String why, Usage usage) {
        return new Object[] {null, null, null, null, why, UsageColumns.row(usage)};
    }

    @Override
    public ConfidenceTransformer copy(ParamMap extra) {
        return copyValues(new ConfidenceTransformer(uid, settings), extra);
    }

    /** Builds a {@link ConfidenceTransformer}. Not thread-safe. */
    public static final class Builder implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private ExecutorResource<? extends ConfidenceEstimator> estimator;
        private ExecutorResource<? extends Calibrator> calibrator;
        private String questionCol = "question";
        private String answersCol;
        private int batchSize = 64;
        private CallLimits callLimits;

        private Builder() {
        }

        private Builder copy() {
            Builder copy = new Builder();
            copy.estimator = estimator;
            copy.calibrator = calibrator;
            copy.questionCol = questionCol;
            copy.answersCol = answersCol;
            copy.batchSize = batchSize;
            copy.callLimits = callLimits;
            return copy;
        }

        /** The estimator, built once per executor (required). */
        public Builder estimator(ExecutorResource<? extends ConfidenceEstimator> estimator) {
            this.estimator = Objects.requireNonNull(estimator, "estimator");
            return this;
        }

        /** Maps each confidence to {@code calibrated_confidence} (default none: the column is null). */
        public Builder calibrator(ExecutorResource<? extends Calibrator> calibrator) {
            this.calibrator = Objects.requireNonNull(calibrator, "calibrator");
            return this;
        }

        /** The string column of questions (default {@code question}). */
        public Builder questionCol(String questionCol) {
            this.questionCol = SchemaChecks.columnName(questionCol, "questionCol");
            return this;
        }

        /** The answer (string) or chains (array of strings) column (default none: the estimator answers). */
        public Builder answersCol(String answersCol) {
            this.answersCol = SchemaChecks.columnName(answersCol, "answersCol");
            return this;
        }

        /**
         * Rows read from the partition at a time (default 64).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder batchSize(int batchSize) {
            this.batchSize = Arguments.atLeast(batchSize, 1, "batchSize");
            return this;
        }

        /** The job-wide budget and rate of the remote model the estimator calls (default none). */
        public Builder callLimits(CallLimits callLimits) {
            this.callLimits = Objects.requireNonNull(callLimits, "callLimits");
            return this;
        }

        /**
         * The transformer.
         *
         * @throws IllegalStateException if no estimator was set
         */
        public ConfidenceTransformer build() {
            if (estimator == null) {
                throw new IllegalStateException("an estimator is required");
            }
            return new ConfidenceTransformer(Identifiable.randomUID("confidence"), copy());
        }
    }
}
