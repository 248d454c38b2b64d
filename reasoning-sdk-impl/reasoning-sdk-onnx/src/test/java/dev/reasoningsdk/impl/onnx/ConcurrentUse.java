package dev.reasoningsdk.impl.onnx;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.AnswerGroup;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs tasks from several threads at once, for the thread-safety tests: every task waits at one gate so that they
 * overlap as much as the machine allows, and results come back in task order. What a test may assert about them is
 * what cannot depend on timing: the same seed gives what it gave alone, counts add up exactly.
 */
public final class ConcurrentUse {

    public static final int THREADS = 4;

    private ConcurrentUse() {
    }

    /** Runs every task on {@link #THREADS} threads and returns their results in task order; rethrows a failure. */
    public static <T> List<T> run(List<Callable<T>> tasks) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch gate = new CountDownLatch(1);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(() -> {
                    gate.await();
                    return task.call();
                }));
            }
            gate.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                try {
                    results.add(future.get());
                } catch (ExecutionException e) {
                    throw new AssertionError("a concurrent task failed: " + e.getCause(), e.getCause());
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
            if (!pool.awaitTermination(60, TimeUnit.SECONDS)) {
                throw new AssertionError("concurrent tasks did not stop");
            }
        }
    }

    /**
     * Runs {@code work} on every input alone, then from {@link #THREADS} threads with every input twice, and
     * asserts that each concurrent result is the one the same input gave alone.
     *
     * @param work the work and what of its result must not depend on timing (no wall times)
     */
    public static <T> void sameConcurrentlyAsAlone(List<T> inputs, Function<T, String> work)
            throws InterruptedException {
        List<String> alone = inputs.stream().map(work).toList();
        List<Callable<String>> tasks = inputs.stream().<Callable<String>>map(input -> () -> work.apply(input)).toList();
        List<String> together = run(twice(tasks));
        for (int i = 0; i < together.size(); i++) {
            int input = original(i, tasks.size());
            if (!together.get(i).equals(alone.get(input))) {
                throw new AssertionError("task " + i + " (input " + input + ") gave concurrently\n" + together.get(i)
                        + "\nbut alone\n" + alone.get(input));
            }
        }
    }

    /** Every task twice, interleaved in reverse the second time, so two copies of one task are rarely neighbours. */
    public static <T> List<Callable<T>> twice(List<Callable<T>> tasks) {
        List<Callable<T>> all = new ArrayList<>(tasks);
        for (int i = tasks.size() - 1; i >= 0; i--) {
            all.add(tasks.get(i));
        }
        return all;
    }

    /** The result at position {@code i} of {@link #twice}'s list, as an index into the original tasks. */
    public static int original(int i, int tasks) {
        return i < tasks ? i : 2 * tasks - 1 - i;
    }

    /** What a usage says apart from wall time, which is the one figure that may differ between runs. */
    public static String counts(Usage usage) {
        return "samples=" + usage.samples() + " calls=" + usage.modelCalls() + " failed=" + usage.failedCalls()
                + " in=" + usage.inputTokens() + " out=" + usage.outputTokens() + " hits=" + usage.cacheHits()
                + " byKind=" + usage.failuresByKind();
    }

    /** An aggregation's decision, evidence and counts, without wall time. */
    public static String fingerprint(AggregationResult result) {
        StringBuilder out = new StringBuilder(result.method()).append(' ').append(result.answer())
                .append(" margin=").append(result.margin()).append(' ').append(result.stopReason())
                .append(" unparseable=").append(result.unparseableChains()).append(' ')
                .append(counts(result.usage()));
        for (AnswerGroup group : result.groups()) {
            out.append("\n  ").append(group.answer()).append(" score=").append(group.score())
                    .append(" reps=").append(group.representatives());
            for (ScoredChain chain : group.chains()) {
                out.append("\n    ").append(chain.index()).append(' ').append(chain.localScore()).append(' ')
                        .append(chain.chain().text());
            }
        }
        return out.toString();
    }
}
