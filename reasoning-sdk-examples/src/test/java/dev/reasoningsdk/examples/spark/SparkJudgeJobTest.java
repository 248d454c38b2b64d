package dev.reasoningsdk.examples.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.spark.ExecutorResource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
