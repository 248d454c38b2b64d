package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.Aggregator;
import dev.reasoningsdk.impl.llm.AnswerExtractor;
import dev.reasoningsdk.impl.llm.ChainSampler;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Self-consistency (Wang et al., 2023, "Self-Consistency Improves Chain of Thought Reasoning in Language Models"):
 * the answer most chains reach wins.
 *
 * <p>Answers are grouped by the {@link AnswerExtractor}, so "1,200.00" and "1200" vote together under the numeric
 * extractor, and an encoder-backed extractor groups free-text answers by meaning. Unparseable chains vote for
 * nothing but are counted. <b>Tie rule:</b> among groups with equally many votes, the answer seen first (in the
 * order the chains were given or sampled) wins; this is the rule of the GSM8K data README's majority baseline.
 * A group's score is its vote count and the margin is the winner's lead in votes.
 *
 * <p>Defaults: 20 samples for {@link #solve(String)}, the question as the prompt, seed 0. Thread-safe.
 */
public final class MajorityVote implements Aggregator {

    private final VoteEngine engine;

    private MajorityVote(Builder builder) {
        SamplingSetup sampling = builder.sampler == null ? null
                : new SamplingSetup(builder.sampler, builder.temperature, builder.promptFormat, builder.seed);
        this.engine = new VoteEngine("majority", builder.extractor, MajorityVote::ones, sampling, builder.samples);
    }

    private static VoteEngine.Weighed ones(String question, List<?> members) {
        double[] weights = new double[members.size()];
        Arrays.fill(weights, 1.0);
        return new VoteEngine.Weighed(weights, Usage.NONE);
    }

    /** A majority vote over caller-supplied chains (no sampler). */
    public static MajorityVote of(AnswerExtractor extractor) {
        return builder().extractor(extractor).build();
    }

    /** A builder; the extractor is required, a sampler only for {@link #solve(String)}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Counts the votes of {@code chains}; nothing is sampled.
     *
     * @throws IllegalArgumentException if {@code chains} is empty
     */
    @Override
    public AggregationResult aggregate(String question, List<ReasoningChain> chains) {
        return engine.aggregate(question, chains);
    }

    /**
     * Samples the configured number of chains and counts their votes.
     *
     * @throws IllegalStateException if built without a sampler
     * @throws dev.reasoningsdk.api.ReasoningException if every sample failed
     */
    @Override
    public AggregationResult solve(String question) {
        return engine.solve(question);
    }

    /** {@code "majority"}. */
    @Override
    public String name() {
        return engine.name();
    }

    /** Builds a {@link MajorityVote}. Not thread-safe. */
    public static final class Builder {
        private AnswerExtractor extractor;
        private ChainSampler sampler;
        private double temperature = Double.NaN;
        private UnaryOperator<String> promptFormat = UnaryOperator.identity();
        private int samples = 20;
        private long seed;

        private Builder() {
        }

        /** How answers are extracted and compared (required). */
        public Builder extractor(AnswerExtractor extractor) {
            this.extractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /**
         * The sampler {@link #solve(String)} draws from and the temperature it was configured to sample at (stated
         * so that a run records how its chains were drawn).
         *
         * @throws IllegalArgumentException if the temperature is negative, NaN or infinite
         */
        public Builder sampler(ChainSampler sampler, double temperature) {
            this.sampler = Objects.requireNonNull(sampler, "sampler");
            SamplingSetup.requireTemperature(temperature);
            this.temperature = temperature;
            return this;
        }

        /** Turns a question into the sampler's prompt (default: the question itself). */
        public Builder promptFormat(UnaryOperator<String> promptFormat) {
            this.promptFormat = Objects.requireNonNull(promptFormat, "promptFormat");
            return this;
        }

        /**
         * Chains {@link #solve(String)} samples (default 20).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder samples(int samples) {
            this.samples = VoteEngine.requireSamples(samples);
            return this;
        }

        /** The seed of the first sample (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @throws IllegalStateException if no extractor was set */
        public MajorityVote build() {
            if (extractor == null) {
                throw new IllegalStateException("an answer extractor is required");
            }
            return new MajorityVote(this);
        }
    }
}
