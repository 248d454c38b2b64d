package dev.reasoningsdk.impl.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.RetrievalDecision;
import dev.reasoningsdk.api.retrieval.RetrievalJudge;
import dev.reasoningsdk.impl.spark.internal.ResourceHolder;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RetrievalJudgeTransformerTest {

    private static SparkSession spark;
    private static Dataset<Row> queries;

    @BeforeAll
    static void start() {
        spark = SparkTestJudges.session(2);
        // 48 real queries over 3 partitions, so each of the two task threads judges more than one partition.
        queries = spark.read().json(SparkTestJudges.retrievalQueries().toString()).select("query").limit(48)
                .repartition(3).cache();
    }

    @AfterAll
    static void stop() {
        spark.stop();
        ExecutorResource.closeAll();
    }

    @Test
    void decisionsEqualTheInProcessJudgeAndUsageIsSummed() {
        Dataset<Row> judged = RetrievalJudgeTransformer.builder().judge(SparkTestJudges.uar()).batchSize(8).build()
                .transform(queries.withColumn("partition", functions.spark_partition_id()))
                .cache(); // the total below must sum this run's rows, not a second run's wall times
        List<Row> rows = judged.collectAsList();
        assertThat(rows).hasSize(48);

        // In process, the same batches: each partition's rows in order, 8 at a time (the encoder's padding makes a
        // probability depend on its batch in the last digits, so equal batches must give equal figures).
        List<String> texts = rows.stream().map(row -> row.<String>getAs("query")).toList();
        List<List<String>> batches = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            boolean newPartition = i == 0 || rows.get(i).<Integer>getAs("partition")
                    != rows.get(i - 1).<Integer>getAs("partition");
            if (newPartition || batches.get(batches.size() - 1).size() == 8) {
                batches.add(new ArrayList<>());
            }
            batches.get(batches.size() - 1).add(texts.get(i));
        }
        assertThat(batches.size()).isGreaterThan(3);
        List<AutoCloseable> models = new ArrayList<>();
        List<RetrievalDecision> expected;
        try {
            RetrievalJudge inProcess = SparkTestJudges.build(model -> {
                models.add(model);
                return model;
            });
            expected = new ArrayList<>();
            for (List<String> batch : batches) {
                expected.addAll(inProcess.judgeAll(batch));
            }
        } finally {
            models.forEach(model -> {
                try {
                    model.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        Usage expectedWork = Usage.NONE;
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            RetrievalDecision decision = expected.get(i);
            assertThat(row.<Boolean>getAs("retrieve")).as(texts.get(i)).isEqualTo(decision.retrieve());
            assertThat(row.<String>getAs("decided_by")).isEqualTo(RetrievalJudgeTransformer.decidedBy(decision));
            for (CriterionKind kind : CriterionKind.values()) {
                String column = "p_" + kind.name().toLowerCase(java.util.Locale.ROOT);
                assertThat(row.<Double>getAs(column)).as(column).isEqualTo(decision.probability(kind).orElseThrow());
            }
            expectedWork = expectedWork.plus(SparkUsage.of(row.getAs("usage")));
        }
        // The job total is the sum of the rows' usage, computed by Spark.
        Usage total = SparkUsage.total(judged);
        assertThat(total.modelCalls()).isEqualTo(expectedWork.modelCalls());
        assertThat(total.wallTime()).isPositive();
        assertThat(Math.abs(total.wallTime().toNanos() - expectedWork.wallTime().toNanos())).isLessThan(1_000_000L);
    }

    @Test
    void theJudgeIsBuiltOncePerJvmWhateverThePartitions() {
        ExecutorResource.closeAll();
        ExecutorResource<RetrievalJudge> judge = SparkTestJudges.uar();
        Dataset<Row> few = queries.limit(12);
        RetrievalJudgeTransformer.of(judge).transform(few.repartition(6)).count();
        assertThat(ResourceHolder.size()).isEqualTo(1);
        RetrievalJudgeTransformer.of(judge).transform(few.repartition(3)).count();
        assertThat(ResourceHolder.size()).isEqualTo(1);
    }

    @Test
    void aMissingOrWrongColumnIsRefusedNamingIt() {
        RetrievalJudgeTransformer transformer = RetrievalJudgeTransformer.builder().judge(SparkTestJudges.uar())
                .inputCol("question").build();
        assertThatThrownBy(() -> transformer.transform(queries)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'question'");
        assertThatThrownBy(() -> RetrievalJudgeTransformer.of(SparkTestJudges.uar())
                .transform(queries.selectExpr("length(query) as query")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be a string");
        assertThatThrownBy(() -> RetrievalJudgeTransformer.builder().batchSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize");
    }
}
