package dev.reasoningsdk.examples.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.retrieval.RetrievalJudge;
import dev.reasoningsdk.impl.spark.ExecutorResource;
import dev.reasoningsdk.impl.spark.RetrievalJudgeTransformer;
import dev.reasoningsdk.impl.spark.SparkUsage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example job end to end in local mode: real MetaTool queries in as JSON lines, Parquet out. */
class SparkJudgeJobTest {

    @AfterAll
    static void close() {
        ExecutorResource.closeAll();
    }

    @Test
    void judgesJsonLinesIntoParquet(@TempDir Path dir) throws Exception {
        List<String> lines = Files.readAllLines(ProjectData.require("data/retrieval_need/metatool_tool_awareness.jsonl"))
                .subList(0, 24);
        Path input = Files.write(dir.resolve("queries.jsonl"), lines);
        Path output = dir.resolve("judged.parquet");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setProperty("spark.master", "local[2]");
        System.setProperty("spark.ui.enabled", "false");
        System.setProperty("spark.driver.host", "127.0.0.1");
        System.setProperty("spark.driver.bindAddress", "127.0.0.1");
        try {
            int code = SparkJudgeJob.run(new String[] {input.toString(), output.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
            assertThat(code).isZero();
        } finally {
            System.clearProperty("spark.master");
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("judged 24 rows");

        SparkSession spark = SparkJudges.local(1, "read-back");
        try {
            List<Row> rows = spark.read().parquet(output.toString()).collectAsList();
            assertThat(rows).hasSize(24);
            // Queries that need a tool (the file's needs_tool label) are mostly sent to retrieval (the intent head).
            List<Row> needTool = rows.stream().filter(row -> row.<Boolean>getAs("needs_tool")).toList();
            assertThat(needTool).isNotEmpty();
            assertThat(needTool.stream().filter(row -> row.<Boolean>getAs("retrieve")).count())
                    .isGreaterThanOrEqualTo(needTool.size() * 3L / 4);
            assertThat(rows).allSatisfy(row -> assertThat(row.<String>getAs("decided_by"))
                    .isIn("intent", "knowledge", "time", "self-knowledge", "default"));
        } finally {
            spark.stop();
        }
    }

    /** The README's Spark snippet: the judge is {@link SparkJudges#uar()}, the rest as written there. */
    @Test
    void theReadmeSnippetJudgesEveryRowAndTotalsItsCost(@TempDir Path dir) throws Exception {
        List<String> lines = Files.readAllLines(ProjectData.require("data/retrieval_need/metatool_tool_awareness.jsonl"))
                .subList(0, 8);
        Path queries = Files.write(dir.resolve("queries.jsonl"), lines);
        SparkSession spark = SparkJudges.local(1, "readme-snippet");
        try {
            ExecutorResource<RetrievalJudge> judge = SparkJudges.uar();
            // README.md, as written there but for the file's path.
            Dataset<Row> judged = RetrievalJudgeTransformer.of(judge).transform(spark.read().json(queries.toString()));
            Usage total = SparkUsage.total(judged);     // the job's cost, summed by Spark

            List<Row> rows = judged.collectAsList();
            assertThat(rows).hasSize(8).allSatisfy(row -> assertThat(row.<String>getAs("decided_by"))
                    .isIn("intent", "knowledge", "time", "self-knowledge", "default"));
            Usage summed = rows.stream().map(row -> SparkUsage.of(row.getAs("usage"))).reduce(Usage.NONE, Usage::plus);
            // Summing is a second Spark job over the same rows (the Dataset is not cached), so the calls repeat and
            // only the counts, not the wall time, are the same. The 378-character query is past the tiny reasoner's
            // context: its self-knowledge call fails and is counted.
            assertThat(total.modelCalls()).isEqualTo(summed.modelCalls()).isPositive();
            assertThat(total.failedCalls()).isEqualTo(summed.failedCalls());
        } finally {
            spark.stop();
        }
    }

    @Test
    void aMissingColumnExitsTwoWithOneLine(@TempDir Path dir) throws Exception {
        Path input = Files.writeString(dir.resolve("q.jsonl"), "{\"text\": \"what time is it in Oslo?\"}\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setProperty("spark.master", "local[1]");
        try {
            int code = SparkJudgeJob.run(new String[] {input.toString(), dir.resolve("o.parquet").toString()},
                    System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(code).isEqualTo(2);
        } finally {
            System.clearProperty("spark.master");
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no column 'query'").hasLineCount(1);
        assertThat(SparkJudgeJob.run(new String[] {"one"}, System.out,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))).isEqualTo(2);
    }
}
