package dev.reasoningsdk.api.model;

import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;

/**
 * Draws reasoning chains for a prompt: the seam between the capabilities that need samples (aggregation,
 * confidence, exemplar selection) and where samples come from. {@code ChatModelSampler} draws them from any
 * LangChain4j {@code ChatModel} with bounded concurrency, timeouts, retries and a budget; the {@code onnx} package
 * draws them from a local model in one batched decode.
 *
 * <p>Implementations are thread-safe. A batch that could not be filled completely is returned with its failures
 * counted, never silently short.
 */
public interface ChainSampler {

    /**
     * Samples {@code count} responses to {@code prompt}.
     *
     * @param prompt    the full prompt text
     * @param count     how many samples, at least 1
     * @param firstSeed the seed of the first sample; sample {@code i} uses {@code firstSeed + i} where the model
     *                  honours seeds, so a caller drawing more samples later continues the sequence
     * @return the samples that succeeded, the failures, and the cost
     * @throws IllegalArgumentException if {@code count < 1}
     */
    SampleBatch sample(String prompt, int count, long firstSeed);

    /**
     * Samples asynchronously. The default runs {@link #sample} on the common pool and cannot stop it early;
     * {@code ChatModelSampler} overrides it so that cancelling the future stops the calls in flight.
     *
     * @throws IllegalArgumentException if {@code count < 1}
     */
    default CompletableFuture<SampleBatch> sampleAsync(String prompt, int count, long firstSeed) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, was " + count);
        }
        return CompletableFuture.supplyAsync(() -> sample(prompt, count, firstSeed));
    }

    /**
     * A short name of the source, e.g. the model name; used as {@link dev.reasoningsdk.api.ReasoningChain#source()}.
     */
    String name();

    /**
     * The one temperature every sample is drawn at, when this sampler sets it; empty (the default) when it leaves it
     * to the model or varies it per sample. A technique told the temperature its sampler samples at checks it
     * against this, so that a run never records a temperature its chains were not drawn at.
     */
    default OptionalDouble temperature() {
        return OptionalDouble.empty();
    }
}
