package dev.reasoningsdk.impl.llm;

import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.internal.StoppingFuture;
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
public final class SamplingFuture extends StoppingFuture<SampleBatch> {

    private final CompletableFuture<SampleBatch> settled = new CompletableFuture<>();

    SamplingFuture(Runnable stop) {
        super(stop);
    }

    /**
     * Completes with the batch as it was counted when the work stopped, whether it finished or was cancelled; the
     * returned future is a copy, so completing it has no effect on the batch.
     */
    public CompletableFuture<SampleBatch> settled() {
        return settled.copy();
    }

    /** Called once by the sampler when the batch has stopped. */
    void settle(SampleBatch batch) {
        settled.complete(batch);
        completeFromWork(batch);
    }

    /** Called once by the sampler when building the batch itself failed. */
    void fail(Throwable failure) {
        settled.completeExceptionally(failure);
        failFromWork(failure);
    }
}
