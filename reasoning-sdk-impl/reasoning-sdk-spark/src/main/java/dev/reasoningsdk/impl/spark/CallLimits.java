package dev.reasoningsdk.impl.spark;

import java.io.Serializable;
import java.util.Objects;

/**
 * A remote model's call budget and rate limit for a whole Spark job, not per partition.
 *
 * <p>How it holds across executors: when a transformer runs, the driver allots each partition a share of the
 * budget ({@code maxCalls / partitions}, the remainder one call each to the first partitions) and of the rate
 * ({@code callsPerSecond / min(partitions, defaultParallelism)}, since at most that many tasks run at once). A task
 * deposits its shares into its JVM's pool named {@link #pool()} while it runs; every call made through a
 * {@link JobLimitedChatModel} of that pool, from any task thread of that JVM, spends from it and is paced at the sum
 * of the running tasks' rates. The shares add up to the limits, so the job as a whole makes at most
 * {@code maxCalls} calls at no more than {@code callsPerSecond}. A call beyond the pool's budget fails at once,
 * without reaching the model, as a non-retryable {@code LlmCallException}, which the techniques count as a failed
 * call (retrieval criteria fall back, confidence rows get an error).
 *
 * <p>Chosen over a token server on the driver because it needs no port open from executors to the driver, no call
 * over the network per model call, and cannot leave a job waiting on a driver it cannot reach; the price is that a
 * partition's unspent share is not lent to another partition once the partitions of a JVM have all finished (the
 * bound is never exceeded, a skewed job may spend less than its budget). A task that Spark retries or runs
 * speculatively spends its partition's share again: turn speculation off for a hard bill limit
 * ({@code spark.speculation=false}, Spark's default) and count {@code spark.task.maxFailures} in.
 *
 * @param pool           the name shared with the {@link JobLimitedChatModel}s whose calls it bounds
 * @param maxCalls       calls allowed in the whole job, at least 0
 * @param callsPerSecond the job's rate limit, positive; {@link Double#POSITIVE_INFINITY} for none
 */
public record CallLimits(String pool, int maxCalls, double callsPerSecond) implements Serializable {

    /**
     * @throws IllegalArgumentException if the pool is blank, {@code maxCalls} negative or the rate not positive
     */
    public CallLimits {
        Objects.requireNonNull(pool, "pool");
        if (pool.isBlank()) {
            throw new IllegalArgumentException("pool must not be blank");
        }
        if (maxCalls < 0) {
            throw new IllegalArgumentException("maxCalls must be >= 0, was " + maxCalls);
        }
        if (!(callsPerSecond > 0)) {
            throw new IllegalArgumentException("callsPerSecond must be > 0, was " + callsPerSecond);
        }
    }

    /** A budget of {@code maxCalls} calls without a rate limit. */
    public static CallLimits of(String pool, int maxCalls) {
        return new CallLimits(pool, maxCalls, Double.POSITIVE_INFINITY);
    }

    /**
     * The call share of partition {@code partition} of {@code partitions}.
     *
     * @throws IllegalArgumentException if {@code partition} is not in {@code [0, partitions)}
     */
    public int callShare(int partition, int partitions) {
        if (partitions < 1 || partition < 0 || partition >= partitions) {
            throw new IllegalArgumentException("partition " + partition + " is not in [0, " + partitions + ")");
        }
        return maxCalls / partitions + (partition < maxCalls % partitions ? 1 : 0);
    }

    /**
     * The rate share of one of {@code partitions} partitions when at most {@code parallelism} tasks run at once.
     *
     * @throws IllegalArgumentException if either count is below 1
     */
    public double rateShare(int partitions, int parallelism) {
        if (partitions < 1 || parallelism < 1) {
            throw new IllegalArgumentException("partitions and parallelism must be >= 1, were " + partitions + ", "
                    + parallelism);
        }
        return callsPerSecond / Math.min(partitions, parallelism);
    }
}
