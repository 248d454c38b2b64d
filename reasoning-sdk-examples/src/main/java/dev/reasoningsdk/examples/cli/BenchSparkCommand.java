package dev.reasoningsdk.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.impl.internal.JsonLines;
import dev.reasoningsdk.impl.internal.TextFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reasoning bench spark}: judges N queries with Unified Active Retrieval in process, in Spark's
 * {@code local[1]} and in {@code local[2]}, and reports each throughput, {@code scaling_ratio} (local[2] over
 * local[1]) and {@code decisions_identical}. Spark is not in reasoning.jar: run it with Spark's jars on the class path
 * (spark-submit, or {@code java -cp}; README, "Batch jobs on Apache Spark"). Without them it exits 2 saying so.
 */
@Command(name = "spark", mixinStandardHelpOptions = true,
        description = "Retrieval judging in process, in Spark local[1] and local[2]: throughput and scaling.")
final class BenchSparkCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Option(names = "--queries", defaultValue = "8192", description = "Queries judged in each run (default 8192, "
            + "a multiple of partitions x batch size; the MetaTool queries, repeated as needed).")
    private int queries;

    @Option(names = "--batch-size", defaultValue = "64", description = "Queries per judgeAll call (default 64).")
    private int batchSize;

    @Option(names = "--partitions", defaultValue = "8", description = "Spark partitions (default 8).")
    private int partitions;

    @Option(names = "--data", description = "Data directory laid out like shared/data (default: data/ in the "
            + "project).")
    private Path data;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (queries < 1 || batchSize < 1 || partitions < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--queries, --batch-size and --partitions must be >= 1");
        }
        try {
            Class.forName("org.apache.spark.sql.SparkSession");
        } catch (ClassNotFoundException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "bench spark needs Spark on the class path "
                    + "(run it with spark-submit, or java -cp with Spark's jars: see the README)");
        }
        Path file = (data != null ? data : SharedData.locate()).resolve("retrieval_need/metatool_tool_awareness.jsonl");
        TextFiles.requireRegularFile(file, "data file not found (use --data)");
        List<String> texts = new ArrayList<>();
        for (JsonLines.Row line : JsonLines.read(file)) {
            JsonNode row = line.node();
            if (row.hasNonNull("query")) {
                texts.add(row.get("query").asText());
            }
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException(file + " has no query");
        }
        List<String> workload = new ArrayList<>(queries);
        for (int i = 0; i < queries; i++) {
            workload.add(texts.get(i % texts.size()));
        }
        Map<String, Object> figures = dev.reasoningsdk.examples.spark.SparkBench.run(workload, batchSize, partitions);
        BenchReport report = new BenchReport();
        figures.forEach(report::put);
        report.print(System.out, json);
        return 0;
    }
}
