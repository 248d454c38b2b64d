package dev.reasoningsdk.impl.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.impl.spark.internal.UsageColumns;
import java.time.Duration;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The {@code usage} column the transformers write, and its job total. The column is a struct of {@code samples},
 * {@code model_calls}, {@code failed_calls}, {@code input_tokens} and {@code output_tokens} (-1 when a call did not
 * report them), {@code cache_hits} and {@code wall_ms} (the row's share of its batch's wall time); failures by kind
 * are not kept per row (the executor's log names each failure).
 */
public final class SparkUsage {

    private SparkUsage() {
    }

    /**
     * The sum of a usage column over {@code rows}, computed by Spark: counts add, a token total is
     * {@link Usage#UNKNOWN_TOKENS} when any row's is, wall time is the sum of the rows' (work time, not the job's
     * elapsed time). Failed calls are filed as {@code OTHER}.
     *
     * @throws IllegalArgumentException if {@code column} is missing
     */
    public static Usage total(Dataset<Row> rows, String column) {
        Objects.requireNonNull(rows, "rows");
        Objects.requireNonNull(column, "column");
        if (!java.util.Arrays.asList(rows.columns()).contains(column)) {
            throw new IllegalArgumentException("no usage column '" + column + "'");
        }
        Row total = rows.agg(sum(col(column + ".samples")), sum(col(column + ".model_calls")),
                sum(col(column + ".failed_calls")), sum(col(column + ".input_tokens")),
                min(col(column + ".input_tokens")), sum(col(column + ".output_tokens")),
                min(col(column + ".output_tokens")), sum(col(column + ".cache_hits")),
                sum(col(column + ".wall_ms"))).first();
        if (total.isNullAt(0)) {
            return Usage.NONE;
        }
        long input = total.getLong(4) < 0 ? Usage.UNKNOWN_TOKENS : total.getLong(3);
        long output = total.getLong(6) < 0 ? Usage.UNKNOWN_TOKENS : total.getLong(5);
        Usage sum = new Usage(Math.toIntExact(total.getLong(0)), Math.toIntExact(total.getLong(1)),
                Math.toIntExact(total.getLong(2)), input, output,
                Duration.ofNanos(Math.round(total.getDouble(8) * 1e6)));
        int cacheHits = Math.toIntExact(total.getLong(7));
        return cacheHits == 0 ? sum : new Usage(sum.samples(), sum.modelCalls(), sum.failedCalls(), input, output,
                sum.wallTime(), cacheHits, sum.failuresByKind());
    }

    /** {@link #total(Dataset, String)} of the column {@code usage}. */
    public static Usage total(Dataset<Row> rows) {
        return total(rows, "usage");
    }

    /** The usage of one row's struct value. */
    public static Usage of(Row usage) {
        return UsageColumns.usage(Objects.requireNonNull(usage, "usage"));
    }
}
