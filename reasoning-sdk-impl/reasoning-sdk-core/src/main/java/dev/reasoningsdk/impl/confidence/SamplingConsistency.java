package dev.reasoningsdk.impl.confidence;

import dev.reasoningsdk.impl.internal.ChatCalls;
import dev.reasoningsdk.impl.llm.AnswerExtractors;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.confidence.ConfidenceEstimator;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.Sampling;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Confidence from sampling consistency (self-consistency, Wang et al., 2023): the share of K sampled chains whose
 * answer agrees with the majority answer. Answers are grouped by the {@link AnswerExtractor}'s equivalence (for
 * semantic clustering, pass a {@link dev.reasoningsdk.impl.llm.SemanticAnswerExtractor}). Besides the agreement (the
 * confidence), the estimate carries as signals the entropy of the answer distribution ({@code entropy}, and
 * {@code normalized_entropy} divided by {@code ln K}), Active-Prompt's disagreement ({@code disagreement} = distinct
 * answers / K) and, for numeric answers, the variance of the answers ({@code variance}) (Diao et al., 2023), and the
 * counts {@code samples}, {@code distinct} and {@code unparsed}. The rationale names where the groups part ways
 * ({@link InconsistencyRationale}). Chains are the samples that succeeded: when {@link #estimate(String)} loses some
 * to failed calls, the agreement is over the others, and the signal {@code failed_samples} and the rationale say how
 * many failed.
 *
 * <p>Defaults: numeric extractor, K = 10 samples, seed 0, the question used as the prompt as is, the
 * deterministic rationale. {@link #estimate(String)} needs a {@link ChainSampler}. Thread-safe.
 */
public final class SamplingConsistency implements ConfidenceEstimator {

    private final AnswerExtractor extractor;
    private final Sampling sampling;
    private final int samples;
    private final InconsistencyRationale rationale;

    private SamplingConsistency(Builder builder) {
        this.extractor = builder.extractor;
        this.sampling = builder.sampler == null ? null
                : new Sampling(builder.sampler, builder.temperature, builder.promptFormat, builder.seed);
        this.samples = builder.samples;
        this.rationale = builder.rationale;
    }

    /** Consistency over chains the caller supplies, numeric answers, deterministic rationale. */
    public static SamplingConsistency of(AnswerExtractor extractor) {
        return builder().extractor(extractor).build();
    }

    /** A new builder with the defaults above. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Samples K chains from the configured sampler and estimates the confidence of their majority answer.
     *
     * @throws IllegalStateException if no sampler was configured
     */
    @Override
    public ConfidenceEstimate estimate(String question) {
        Objects.requireNonNull(question, "question");
        if (sampling == null) {
            throw new IllegalStateException("SamplingConsistency was built without a sampler; pass the chains instead");
        }
        return Sampled.estimate(sampling, question, samples, name(), chains -> estimate(question, chains));
    }

    /** @throws IllegalArgumentException if {@code samples} is empty */
    @Override
    public ConfidenceEstimate estimate(String question, List<ReasoningChain> chains) {
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(chains, "chains");
        long start = System.nanoTime();
        AnswerGroups groups = AnswerGroups.of(chains, extractor);
        InconsistencyRationale.Rationale explained = rationale.explain(question, groups);
        Usage usage = explained.usage().withWallTime(ChatCalls.since(start));
        return new ConfidenceEstimate(groups.majority().map(AnswerGroups.Group::answer), groups.agreement(),
                explained.text(), name(), signals(groups), usage);
    }

    /** The consistency signals of already grouped chains, as named in the class comment. */
    public static Map<String, Double> signals(AnswerGroups groups) {
        Map<String, Double> signals = new LinkedHashMap<>();
        int k = groups.total();
        signals.put("agreement", groups.agreement());
        signals.put("entropy", groups.entropy());
        signals.put("normalized_entropy", k > 1 ? groups.entropy() / Math.log(k) : 0.0);
        signals.put("disagreement", groups.disagreement());
        groups.numericVariance().ifPresent(variance -> signals.put("variance", variance));
        signals.put("samples", (double) k);
        signals.put("distinct", (double) groups.groups().size());
        signals.put("unparsed", (double) groups.unparsed().size());
        return signals;
    }

    @Override
    public String name() {
        return "consistency";
    }

    /** Builds {@link SamplingConsistency}; every setting is optional. Not thread-safe. */
    public static final class Builder {
        private AnswerExtractor extractor = AnswerExtractors.numeric();
        private ChainSampler sampler;
        private double temperature;
        private int samples = 10;
        private long seed;
        private UnaryOperator<String> promptFormat = UnaryOperator.identity();
        private InconsistencyRationale rationale = InconsistencyRationale.deterministic();

        private Builder() {
        }

        /** How answers are extracted and compared; numeric by default. */
        public Builder extractor(AnswerExtractor extractor) {
            this.extractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /**
         * Where {@link #estimate(String)} draws its chains from, and the temperature that sampler was configured to
         * sample at (stated so that a run records how its chains were drawn; logged with failed samples).
         *
         * @throws IllegalArgumentException if the temperature is negative, NaN or infinite
         */
        public Builder sampler(ChainSampler sampler, double temperature) {
            this.sampler = Objects.requireNonNull(sampler, "sampler");
            this.temperature = Arguments.temperature(temperature);
            return this;
        }

        /**
         * K, the samples drawn by {@link #estimate(String)}; 10 by default.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder samples(int samples) {
            this.samples = Arguments.atLeast(samples, 1, "samples");
            return this;
        }

        /** The seed of the first sample; sample {@code i} uses {@code seed + i}. 0 by default. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Turns a question into the sampler's prompt (e.g. a few-shot template); identity by default. */
        public Builder promptFormat(UnaryOperator<String> promptFormat) {
            this.promptFormat = Objects.requireNonNull(promptFormat, "promptFormat");
            return this;
        }

        /** How the rationale is written; deterministic by default. */
        public Builder rationale(InconsistencyRationale rationale) {
            this.rationale = Objects.requireNonNull(rationale, "rationale");
            return this;
        }

        /** The estimator. */
        public SamplingConsistency build() {
            return new SamplingConsistency(this);
        }
    }
}
