package dev.reasoningsdk.impl.llm;

import dev.reasoningsdk.api.model.SampleBatch;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The pending result of {@link ChatModelSampler#sampleAsync}: a {@link CompletableFuture} whose cancellation
 * (or exceptional completion by the caller, e.g. through {@link #orTimeout}) stops the batch: calls in flight are
 * interrupted and abandoned, samples not yet started are never started.
 *
 * <p>A cancelled future carries no batch, so the work done up to the cancellation is reported by {@link #settled()}:
 * it completes once the batch has stopped, with every sample accounted for (unfinished ones as
 * {@link SampleBatch.FailureKind#CANCELLED} failures) and every call counted. Dependent stages ({@code thenApply}
 * and so on) are plain {@code CompletableFuture}s; cancelling them does not reach back to the batch.
 */
public final class SamplingFuture extends CompletableFuture<SampleBatch> {

    private final CompletableFuture<SampleBatch> settled = new CompletableFuture<>();
    private final Runnable stop;

    SamplingFuture(Runnable stop) {
        this.stop = Objects.requireNonNull(stop, "stop");
    }

    /**
     * Completes with the batch as it was counted when the work stopped, whether it finished or was cancelled; the
     * returned future is a copy, so completing it has no effect on the batch.
     */
    public CompletableFuture<SampleBatch> settled() {
        return settled.copy();
    }

    /** Cancels this future and stops the batch (see the class description). */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        stop.run();
        return cancelled;
    }

    /** Completes this future exceptionally and, if that ended it, stops the batch. */
    @Override
    public boolean completeExceptionally(Throwable failure) {
        return stopIf(super.completeExceptionally(failure));
    }

    /** Completes this future with a caller's value and, if that ended it, stops the batch. */
    @Override
    public boolean complete(SampleBatch value) {
        return stopIf(super.complete(value));
    }

    private boolean stopIf(boolean completedByCaller) {
        if (completedByCaller) {
            stop.run();
        }
        return completedByCaller;
    }

    /** Called once by the sampler when the batch has stopped. */
    void settle(SampleBatch batch) {
        settled.complete(batch);
        super.complete(batch);
    }

    /** Called once by the sampler when building the batch itself failed. */
    void fail(Throwable failure) {
        settled.completeExceptionally(failure);
        super.completeExceptionally(failure);
    }
}
