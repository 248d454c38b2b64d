package dev.reasoningsdk.examples.spark;

import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.RetrievalDecision;
import dev.reasoningsdk.api.retrieval.RetrievalJudge;
import dev.reasoningsdk.impl.spark.ExecutorResource;
import dev.reasoningsdk.impl.spark.RetrievalJudgeTransformer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code bench spark}: the retrieval judge over the same queries in process, in {@code local[1]} and in
 * {@code local[2]}. The queries are cut into equal contiguous partitions whose sizes are multiples of the batch size,
 * so every Spark batch holds the same queries as an in-process batch and the figures can be compared exactly.
 * Models are loaded and each session warmed up before timing.
 */
public final class SparkBench {

    private SparkBench() {
    }

    /** The figures: throughput of each run, the scaling ratio and whether every decision matched. */
    public static Map<String, Object> run(List<String> queries, int batchSize, int partitions) {
        ExecutorResource<RetrievalJudge> judge = SparkJudges.uar();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("queries", queries.size());
        report.put("batch_size", batchSize);
        report.put("partitions", partitions);
        report.put("cores", Runtime.getRuntime().availableProcessors());
        report.put("load_average_before", loadAverage());

        RetrievalJudge inProcess = judge.get();
        inProcess.judgeAll(queries.subList(0, Math.min(batchSize, queries.size())));
        long start = System.nanoTime();
        List<RetrievalDecision> expected = new ArrayList<>(queries.size());
        for (int from = 0; from < queries.size(); from += batchSize) {
            expected.addAll(inProcess.judgeAll(queries.subList(from, Math.min(queries.size(), from + batchSize))));
        }
        double inProcessSeconds = (System.nanoTime() - start) / 1e9;
        report.put("in_process", figures(queries.size(), inProcessSeconds));

        Map<String, Object> local1 = spark(1, queries, expected, judge, batchSize, partitions);
        report.put("local_1", local1);
        Map<String, Object> local2 = spark(2, queries, expected, judge, batchSize, partitions);
        report.put("local_2", local2);
        double ratio = (double) local2.get("queries_per_second") / (double) local1.get("queries_per_second");
        report.put("scaling_ratio", Math.round(ratio * 1000) / 1000.0);
        report.put("decisions_identical", (boolean) local1.get("decisions_identical")
                && (boolean) local2.get("decisions_identical"));
        report.put("load_average_after", loadAverage());
        ExecutorResource.closeAll();
        return report;
    }

    private static Map<String, Object> spark(int threads, List<String> queries, List<RetrievalDecision> expected,
                                             ExecutorResource<RetrievalJudge> judge, int batchSize, int partitions) {
        SparkSession spark = SparkJudges.local(threads, "bench-spark-local-" + threads);
        try {
            StructType schema = new StructType().add("id", DataTypes.IntegerType).add("query", DataTypes.StringType);
            List<Row> rows = new ArrayList<>(queries.size());
            for (int i = 0; i < queries.size(); i++) {
                rows.add(RowFactory.create(i, queries.get(i)));
            }
            JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Dataset<Row> input = spark.createDataFrame(context.parallelize(rows, partitions), schema).cache();
            input.count();
            RetrievalJudgeTransformer transformer = RetrievalJudgeTransformer.builder().judge(judge)
                    .batchSize(batchSize).build();
            // Warm-up: a small job so that code generation and task start-up are not timed.
            transformer.transform(input.limit(batchSize)).count();
            long start = System.nanoTime();
            List<Row> judged = transformer.transform(input).collectAsList();
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Object> figures = figures(queries.size(), seconds);
            int differing = 0;
            double maxDifference = 0;
            for (Row row : judged) {
                RetrievalDecision decision = expected.get(row.<Integer>getAs("id"));
                if (decision.retrieve() != row.<Boolean>getAs("retrieve")
                        || !RetrievalJudgeTransformer.decidedBy(decision).equals(row.getAs("decided_by"))) {
                    differing++;
                }
                for (CriterionKind kind : CriterionKind.values()) {
                    Double value = row.getAs("p_" + kind.name().toLowerCase(java.util.Locale.ROOT));
                    double want = decision.probability(kind).orElse(Double.NaN);
                    if (value != null) {
                        maxDifference = Math.max(maxDifference, Math.abs(value - want));
                    }
                }
            }
            figures.put("decisions_identical", differing == 0 && judged.size() == queries.size());
            figures.put("decisions_differing", differing);
            figures.put("max_probability_difference", maxDifference);
            return figures;
        } finally {
            spark.stop();
        }
    }

    private static Map<String, Object> figures(int queries, double seconds) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("seconds", Math.round(seconds * 1000) / 1000.0);
        figures.put("queries_per_second", Math.round(queries / seconds * 100) / 100.0);
        return figures;
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
