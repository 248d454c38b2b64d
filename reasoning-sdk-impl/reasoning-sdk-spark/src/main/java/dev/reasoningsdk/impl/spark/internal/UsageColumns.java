package dev.reasoningsdk.impl.spark.internal;

import dev.reasoningsdk.api.Usage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** A {@link Usage} as a Spark struct column, and back. Not API. */
public final class UsageColumns {

    /**
     * The struct: samples, model_calls, failed_calls, input_tokens, output_tokens (-1 unknown), cache_hits, wall_ms.
     */
    public static final StructType TYPE = new StructType(new StructField[] {
        DataTypes.createStructField("samples", DataTypes.IntegerType, false),
        DataTypes.createStructField("model_calls", DataTypes.IntegerType, false),
        DataTypes.createStructField("failed_calls", DataTypes.IntegerType, false),
        DataTypes.createStructField("input_tokens", DataTypes.LongType, false),
        DataTypes.createStructField("output_tokens", DataTypes.LongType, false),
        DataTypes.createStructField("cache_hits", DataTypes.IntegerType, false),
        DataTypes.createStructField("wall_ms", DataTypes.DoubleType, false)});

    private UsageColumns() {
    }

    /** The struct value of {@code usage}. */
    public static Row row(Usage usage) {
        return RowFactory.create(usage.samples(), usage.modelCalls(), usage.failedCalls(), usage.inputTokens(),
                usage.outputTokens(), usage.cacheHits(), usage.wallTime().toNanos() / 1e6);
    }

    /** The usage of a struct value (failures by kind are not kept in the column: they are filed as OTHER). */
    public static Usage usage(Row row) {
        int calls = row.getInt(1);
        int failed = row.getInt(2);
        Usage usage = new Usage(row.getInt(0), calls, failed, row.getLong(3), row.getLong(4),
                java.time.Duration.ofNanos(Math.round(row.getDouble(6) * 1e6)));
        return row.getInt(5) == 0 ? usage : new Usage(usage.samples(), calls, failed, usage.inputTokens(),
                usage.outputTokens(), usage.wallTime(), row.getInt(5), usage.failuresByKind());
    }
}
