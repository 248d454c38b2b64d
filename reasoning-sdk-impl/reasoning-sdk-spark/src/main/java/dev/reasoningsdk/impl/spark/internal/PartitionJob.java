package dev.reasoningsdk.impl.spark.internal;

import dev.reasoningsdk.impl.spark.CallLimits;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What the driver decides before a model job runs, shipped with each task: the job's call limits and the partition
 * count and parallelism their shares are computed from, and the batch size. On the executor, {@link #run} deposits
 * the task's shares into its JVM's pool, releases them when the task completes (normally or not: a task completion
 * listener), and maps the partition lazily batch by batch, so a partition is never held whole. Not API.
 *
 * @param limits      the job's call limits, or null for none
 * @param partitions  partitions of the job's input
 * @param parallelism tasks that can run at once (the context's default parallelism)
 * @param batchSize   rows handed to the technique at a time
 */
public record PartitionJob(CallLimits limits, int partitions, int parallelism, int batchSize) implements Serializable {

    /** The job over {@code input}'s partitions on its session's parallelism. */
    public static PartitionJob plan(Dataset<?> input, CallLimits limits, int batchSize) {
        return new PartitionJob(limits, Math.max(1, input.rdd().getNumPartitions()),
                Math.max(1, input.sparkSession().sparkContext().defaultParallelism()), batchSize);
    }

    /** Maps one batch of input rows to output rows, one per input row unless the caller documents otherwise. */
    @FunctionalInterface
    public interface Batch extends Serializable {
        /** The output rows of {@code rows}. */
        List<Row> apply(List<Row> rows) throws Exception;
    }

    /** Runs on an executor: the task's share of the limits, then {@code batch} over the partition. */
    public Iterator<Row> run(Iterator<Row> input, Batch batch) {
        if (limits != null) {
            TaskContext task = TaskContext.get();
            int partition = task == null ? 0 : task.partitionId();
            double rate = limits.rateShare(partitions, parallelism);
            CallPools.deposit(limits.pool(), limits.callShare(partition, partitions), rate);
            if (task != null) {
                task.addTaskCompletionListener(
                        (org.apache.spark.util.TaskCompletionListener) context -> CallPools.release(limits.pool(),
                                rate));
            }
        }
        return new Iterator<>() {
            private Iterator<Row> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && input.hasNext()) {
                    List<Row> rows = new ArrayList<>(batchSize);
                    while (rows.size() < batchSize && input.hasNext()) {
                        rows.add(input.next());
                    }
                    try {
                        current = batch.apply(rows).iterator();
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
                return current.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    /** The input row's values followed by {@code extra}. */
    public static Row append(Row row, Object... extra) {
        Object[] values = new Object[row.length() + extra.length];
        for (int i = 0; i < row.length(); i++) {
            values[i] = row.get(i);
        }
        System.arraycopy(extra, 0, values, row.length(), extra.length);
        return org.apache.spark.sql.RowFactory.create(values);
    }
}
