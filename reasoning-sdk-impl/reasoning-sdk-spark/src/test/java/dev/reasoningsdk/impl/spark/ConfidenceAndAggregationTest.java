package dev.reasoningsdk.impl.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.model.chat.ChatModel;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.confidence.ConfidenceEstimator;
import dev.reasoningsdk.fixtures.RecordedChains;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.aggregate.MajorityVote;
import dev.reasoningsdk.impl.confidence.LabelledScores;
import dev.reasoningsdk.impl.confidence.PlattCalibrator;
import dev.reasoningsdk.impl.confidence.SamplingConsistency;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import dev.reasoningsdk.impl.spark.internal.CallPools;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Confidence and aggregation on the recorded GSM8K chains (real model solutions), and a job-wide call budget. */
class ConfidenceAndAggregationTest {

    /** The budget test's model: one per JVM, which in local mode is the test's own, so its calls can be counted. */
    private static final ScriptedChatModel COUNTED = ScriptedChatModel.byRule(request -> "2 + 2 = 4. The answer is 4.");

    private static SparkSession spark;
    private static List<RecordedChains.Gsm8kQuestion> gsm8k;

    @BeforeAll
    static void start() {
        spark = SparkTestJudges.session(2);
        gsm8k = RecordedChains.gsm8k();
    }

    @AfterAll
    static void stop() {
        spark.stop();
        ExecutorResource.closeAll();
    }

    @Test
    void confidenceAndCalibratedConfidenceEqualTheInProcessEstimate() {
        List<Row> rows = new ArrayList<>();
        for (RecordedChains.Gsm8kQuestion question : gsm8k) {
            rows.add(RowFactory.create(question.question(),
                    question.chains().stream().map(ReasoningChain::text).toList()));
        }
        StructType schema = new StructType().add("question", DataTypes.StringType)
                .add("chains", DataTypes.createArrayType(DataTypes.StringType));
        Dataset<Row> input = spark.createDataFrame(rows, schema).repartition(3);

        SamplingConsistency local = SamplingConsistency.of(AnswerExtractors.numeric());
        // A Platt calibrator fitted on the driver against the gold answers; only its two parameters ship.
        double[] scores = new double[gsm8k.size()];
        boolean[] correct = new boolean[gsm8k.size()];
        for (int i = 0; i < gsm8k.size(); i++) {
            ConfidenceEstimate estimate = local.estimate(gsm8k.get(i).question(), gsm8k.get(i).chains());
            scores[i] = estimate.confidence();
            correct[i] = estimate.answer().map(gsm8k.get(i).goldAnswer()::equals).orElse(false);
        }
        PlattCalibrator platt = PlattCalibrator.fit(LabelledScores.of(scores, correct));
        double slope = platt.slope();
        double intercept = platt.intercept();

        List<Row> out = ConfidenceTransformer.builder()
                .estimator(ExecutorResource.of("test-consistency-numeric",
                        closer -> SamplingConsistency.of(AnswerExtractors.numeric())))
                .calibrator(ExecutorResource.of("test-platt-" + slope + "-" + intercept,
                        closer -> new PlattCalibrator(slope, intercept)))
                .answersCol("chains").build().transform(input).collectAsList();

        assertThat(out).hasSize(gsm8k.size());
        Map<String, RecordedChains.Gsm8kQuestion> byQuestion = new HashMap<>();
        gsm8k.forEach(question -> byQuestion.put(question.question(), question));
        for (Row row : out) {
            RecordedChains.Gsm8kQuestion question = byQuestion.get(row.<String>getAs("question"));
            ConfidenceEstimate expected = local.estimate(question.question(), question.chains());
            assertThat(row.<String>getAs("error")).isNull();
            assertThat(row.<String>getAs("answer")).isEqualTo(expected.answer().orElse(null));
            assertThat(row.<Double>getAs("confidence")).isEqualTo(expected.confidence());
            assertThat(row.<Double>getAs("calibrated_confidence")).isEqualTo(platt.calibrate(expected.confidence()));
            assertThat(row.<String>getAs("rationale")).isEqualTo(expected.rationale());
        }
    }

    @Test
    void aggregationPerQuestionEqualsTheInProcessVote() {
        List<Row> rows = new ArrayList<>();
        for (RecordedChains.Gsm8kQuestion question : gsm8k) {
            List<ReasoningChain> chains = question.chains();
            for (int i = 0; i < chains.size(); i++) {
                rows.add(RowFactory.create(question.question(), chains.get(i).text(), chains.get(i).source(), i));
            }
        }
        StructType schema = new StructType().add("question", DataTypes.StringType).add("chain", DataTypes.StringType)
                .add("source", DataTypes.StringType).add("step", DataTypes.IntegerType);
        // Shuffled across 4 partitions, so only the order column can put each question's chains back in order.
        Dataset<Row> input = spark.createDataFrame(rows, schema).orderBy(functions.rand(7)).repartition(4);

        ExecutorResource<MajorityVote> vote = ExecutorResource.of("test-majority-numeric",
                closer -> MajorityVote.of(AnswerExtractors.numeric()));
        Dataset<Row> aggregated = ChainAggregation.builder().aggregator(vote).sourceCol("source").orderCol("step")
                .build().apply(input).cache();
        List<Row> out = aggregated.collectAsList();

        assertThat(out).hasSize(gsm8k.size());
        MajorityVote local = MajorityVote.of(AnswerExtractors.numeric());
        Map<String, RecordedChains.Gsm8kQuestion> byQuestion = new HashMap<>();
        gsm8k.forEach(question -> byQuestion.put(question.question(), question));
        for (Row row : out) {
            RecordedChains.Gsm8kQuestion question = byQuestion.get(row.<String>getAs("question"));
            AggregationResult expected = local.aggregate(question.question(), question.chains());
            assertThat(row.<String>getAs("answer")).isEqualTo(expected.answer().orElse(null));
            assertThat(row.<Double>getAs("margin")).isEqualTo(expected.margin());
            assertThat(row.<Integer>getAs("chains")).isEqualTo(question.chains().size());
            assertThat(row.<String>getAs("stop_reason")).isEqualTo(expected.stopReason().name());
        }
        assertThat(SparkUsage.total(aggregated).samples()).isZero();
    }

    @Test
    void theCallBudgetHoldsForTheWholeJobAcrossPartitions() {
        int before = COUNTED.calls();
        CallLimits limits = CallLimits.of("test-budget-pool", 7);
        ExecutorResource<ConfidenceEstimator> estimator = ExecutorResource.of("test-limited-consistency", closer -> {
            ChatModel limited = JobLimitedChatModel.of("test-budget-pool", COUNTED);
            return SamplingConsistency.builder().extractor(AnswerExtractors.numeric())
                    .sampler(ChatModelSampler.builder().model(limited).concurrency(1).build(), 0.7).samples(2).build();
        });
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            rows.add(RowFactory.create(gsm8k.get(i).question()));
        }
        Dataset<Row> input = spark.createDataFrame(rows, new StructType().add("question", DataTypes.StringType))
                .repartition(4);
        Dataset<Row> out = ConfidenceTransformer.builder().estimator(estimator).callLimits(limits).batchSize(2)
                .build().transform(input).withColumn("partition", functions.spark_partition_id()).cache();
        List<Row> result = out.collectAsList();

        // 16 questions x 2 samples would be 32 calls; the job's budget is 7, split 2, 2, 2, 1 over 4 partitions.
        // Two task threads share this JVM's pool, so a partition may spend a share its neighbour deposited: the
        // bound is the job's (and each JVM's deposits), not a partition's.
        assertThat(COUNTED.calls() - before).isEqualTo(7);
        assertThat(result.stream().map(row -> row.<Integer>getAs("partition")).distinct()).hasSize(4);
        Usage total = SparkUsage.total(out);
        assertThat(total.samples()).isEqualTo(7);
        // Every refused call is a failed call in the rows' usage, so the summed usage shows what the budget cut.
        assertThat(total.modelCalls() - total.failedCalls()).isEqualTo(7);
        assertThat(total.failedCalls()).isEqualTo(32 - 7);
        assertThat(result.stream().filter(row -> SparkUsage.of(row.getAs("usage")).samples() == 0))
                .hasSizeGreaterThanOrEqualTo(16 - 7);
        assertThat(CallPools.remaining("test-budget-pool")).as("no pool outlives its tasks").isEqualTo(-1);
    }

    @Test
    void callSharesAddUpToTheBudgetAndRunningRatesToTheLimit() {
        for (int budget : new int[] {0, 1, 7, 100, 1001}) {
            for (int partitions = 1; partitions <= 13; partitions++) {
                CallLimits limits = new CallLimits("p", budget, 10.0);
                int sum = 0;
                for (int i = 0; i < partitions; i++) {
                    sum += limits.callShare(i, partitions);
                }
                assertThat(sum).isEqualTo(budget);
                for (int parallelism = 1; parallelism <= 4; parallelism++) {
                    assertThat(limits.rateShare(partitions, parallelism) * Math.min(partitions, parallelism))
                            .isCloseTo(10.0, org.assertj.core.data.Offset.offset(1e-9));
                }
            }
        }
        assertThatThrownBy(() -> new CallLimits("p", -1, 1)).hasMessageContaining("maxCalls");
        assertThatThrownBy(() -> new CallLimits("p", 1, 0)).hasMessageContaining("callsPerSecond");
        assertThatThrownBy(() -> new CallLimits(" ", 1, 1)).hasMessageContaining("pool");
    }
}
