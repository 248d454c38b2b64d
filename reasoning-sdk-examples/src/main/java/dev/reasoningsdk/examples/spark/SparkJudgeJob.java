package dev.reasoningsdk.examples.spark;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.impl.spark.RetrievalJudgeTransformer;
import dev.reasoningsdk.impl.spark.SparkUsage;
import java.util.Arrays;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * An example Spark job: reads a JSON-lines file of queries, decides for each whether retrieval is needed (Unified
 * Active Retrieval on the embedded models, {@link SparkJudges#uar()}) and writes the rows with the decision, the
 * deciding criterion, the four probabilities and the usage as Parquet. Run it with {@code spark-submit} (README,
 * "Batch jobs on Apache Spark"):
 *
 * <pre>
 * spark-submit --class dev.reasoningsdk.examples.spark.SparkJudgeJob --master local[2] \
 *     reasoning-sdk-examples/target/reasoning.jar queries.jsonl judged.parquet [query-column]
 * </pre>
 *
 * Without a master (run as a plain Java program), it runs in {@code local[*]}. Exit code 2 and one line on stderr
 * for bad arguments.
 */
public final class SparkJudgeJob {

    private SparkJudgeJob() {
    }

    /** {@code <input.jsonl> <output.parquet> [query-column]}. */
    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs the job; returns the exit code (2: bad arguments or input, one line on {@code err}). */
    static int run(String[] args, java.io.PrintStream out, java.io.PrintStream err) {
        if (args.length < 2 || args.length > 3) {
            err.println("usage: SparkJudgeJob <input.jsonl> <output.parquet> [query-column (default query)]");
            return 2;
        }
        String column = args.length == 3 ? args[2] : "query";
        SparkConf conf = new SparkConf().setAppName("reasoning-sdk retrieval judge");
        if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            Dataset<Row> queries = spark.read().json(args[0]);
            if (!Arrays.asList(queries.columns()).contains(column)) {
                err.println("SparkJudgeJob: " + args[0] + " has no column '" + column + "' (columns: "
                        + String.join(", ", queries.columns()) + ")");
                return 2;
            }
            Dataset<Row> judged = RetrievalJudgeTransformer.builder().judge(SparkJudges.uar()).inputCol(column)
                    .build().transform(queries);
            judged.write().mode("errorifexists").parquet(args[1]);
            Dataset<Row> written = spark.read().parquet(args[1]);
            Usage usage = SparkUsage.total(written);
            out.printf("judged %d rows (%d to retrieve) into %s; model calls %d, work time %.1f s%n",
                    written.count(), written.filter("retrieve").count(), args[1], usage.modelCalls(),
                    usage.wallTime().toMillis() / 1000.0);
            return 0;
        } finally {
            spark.stop();
        }
    }
}
