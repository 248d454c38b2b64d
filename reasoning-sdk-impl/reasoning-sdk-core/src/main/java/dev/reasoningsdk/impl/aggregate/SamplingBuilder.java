package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.impl.internal.Sampling;

import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.ChainSampler;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The settings every aggregator's builder shares: the answer extractor and where {@code solve} samples from.
 * Not thread-safe.
 *
 * @param <B> the concrete builder, returned by every setter
 */
abstract class SamplingBuilder<B extends SamplingBuilder<B>> {

    AnswerExtractor extractor;
    private ChainSampler sampler;
    private double temperature = Double.NaN;
    private UnaryOperator<String> promptFormat = UnaryOperator.identity();
    private long seed;

    SamplingBuilder() {
    }

    abstract B self();

    /** How answers are extracted and compared (required). */
    public B extractor(AnswerExtractor extractor) {
        this.extractor = Objects.requireNonNull(extractor, "extractor");
        return self();
    }

    /**
     * The sampler {@code solve} draws from and the temperature it was configured to sample at. The temperature is
     * stated explicitly so that a run records how its chains were drawn (the AoR reference code left it to its API's
     * default). It is recorded, not applied: the sampler samples at its own setting, so state the one it was built
     * with ({@code ChatModelSampler.Builder.temperature}, {@code LocalModelSampler}'s default 0.8); where the
     * sampler reports it ({@link ChainSampler#temperature()}), {@code build()} refuses a different one.
     *
     * @throws IllegalArgumentException if the temperature is negative, NaN or infinite
     */
    public B sampler(ChainSampler sampler, double temperature) {
        this.sampler = Objects.requireNonNull(sampler, "sampler");
        this.temperature = Arguments.temperature(temperature);
        return self();
    }

    /** Turns a question into the sampler's prompt (default: the question itself). */
    public B promptFormat(UnaryOperator<String> promptFormat) {
        this.promptFormat = Objects.requireNonNull(promptFormat, "promptFormat");
        return self();
    }

    /** The seed of the first sample; sample {@code i} uses {@code seed + i} (default 0). */
    public B seed(long seed) {
        this.seed = seed;
        return self();
    }

    /** @throws IllegalStateException if no extractor was set */
    void requireExtractor() {
        if (extractor == null) {
            throw new IllegalStateException("an answer extractor is required");
        }
    }

    /** The sampling setup, or null when no sampler was set. */
    Sampling sampling() {
        return sampler == null ? null : new Sampling(sampler, temperature, promptFormat, seed);
    }

    /** The settings of the two votes: the above plus a fixed number of samples. */
    abstract static class ForVotes<B extends ForVotes<B>> extends SamplingBuilder<B> {
        int samples = 20;

        /**
         * Chains {@code solve} samples (default 20).
         *
         * @throws IllegalArgumentException if below 1
         */
        public B samples(int samples) {
            if (samples < 1) {
                throw new IllegalArgumentException("samples must be >= 1, was " + samples);
            }
            this.samples = samples;
            return self();
        }
    }
}
