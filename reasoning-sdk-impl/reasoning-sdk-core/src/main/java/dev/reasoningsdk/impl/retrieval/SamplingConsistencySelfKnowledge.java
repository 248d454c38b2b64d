package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.impl.llm.AnswerExtractors;

import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.retrieval.Criterion;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.impl.confidence.AnswerGroups;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.Sampling;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Self-knowledge of a remote black-box model by sampling consistency (as in SelfCheckGPT, Manakul et al., 2023, and
 * the consistency signal of self-consistency, Wang et al., 2023): sample the model several times and take the share
 * of samples that agree with the most common answer as the probability that the model knows it. In
 * {@link UnifiedActiveRetrieval} an agreement below the self-knowledge threshold (default 0.5) means "does not
 * know", so the request is retrieved for.
 *
 * <p>Answers are extracted and compared by an {@link AnswerExtractor} (free text by default). Failed and
 * unparseable samples count as disagreeing: the denominator is the number requested. No usable sample, or none with
 * an answer, gives 0 as a fallback, not a verdict: the result's usage then counts every call as failed (a reply cut
 * off at the token limit or without an answer as {@link CallFailure#GARBAGE}), so {@link UnifiedActiveRetrieval}
 * lets it settle nothing.
 * Defaults: 5 samples, seed 0, the request as the prompt. Thread-safe when the sampler is.
 */
public final class SamplingConsistencySelfKnowledge implements Criterion {

    private final Sampling sampling;
    private final AnswerExtractor extractor;
    private final int samples;

    private SamplingConsistencySelfKnowledge(Builder builder) {
        this.sampling = new Sampling(builder.sampler, builder.temperature, builder.promptFormat, builder.seed);
        this.extractor = builder.extractor;
        this.samples = builder.samples;
    }

    /** A builder; a sampler is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public CriterionKind kind() {
        return CriterionKind.SELF_KNOWLEDGE;
    }

    /**
     * The usage of a result with no answer to count: every reply is counted as failed ({@link CallFailure#GARBAGE},
     * returned with nothing usable: cut off at the token limit, which the sampler counts as a call that answered,
     * or without an answer in it), so it reads as the fallback it is and a judge lets it settle nothing.
     */
    private static Usage noVerdict(Usage usage) {
        return usage.withAllCallsFailed(CallFailure.GARBAGE);
    }

    /** True: the verdict is read from the model's replies, so a result with no usable reply is a fallback. */
    @Override
    public boolean judgesByModelCalls() {
        return true;
    }

    @Override
    public CriterionResult evaluate(String query) {
        Objects.requireNonNull(query, "query");
        Sampling.Draw draw = sampling.draw(query, samples, 0);
        SampleBatch batch = draw.batch();
        String failed = batch.failures().size() + " failed"
                + (batch.truncatedSamples() > 0 ? ", " + batch.truncatedSamples() + " cut off at the token limit" : "");
        if (batch.samples().isEmpty()) {
            return new CriterionResult(kind(), 0, "no usable sample of " + samples + " (" + failed + ")",
                    noVerdict(batch.usage()));
        }
        AnswerGroups groups = AnswerGroups.of(draw.chains(), extractor);
        Optional<AnswerGroups.Group> majority = groups.majority();
        if (majority.isEmpty()) {
            return new CriterionResult(kind(), 0, "no answer in " + samples + " samples (" + failed + ")",
                    noVerdict(batch.usage()));
        }
        int votes = majority.get().members().size();
        double agreement = votes / (double) samples;
        String evidence = String.format(Locale.ROOT, "%d/%d samples agree on '%s' (%d answers, %d failed)",
                votes, samples, majority.get().answer(), groups.groups().size(), batch.failures().size());
        return new CriterionResult(kind(), agreement, evidence, batch.usage());
    }

    /** Builds a {@link SamplingConsistencySelfKnowledge}. */
    public static final class Builder {
        private ChainSampler sampler;
        private double temperature;
        private AnswerExtractor extractor = AnswerExtractors.freeText();
        private int samples = 5;
        private long seed;
        private UnaryOperator<String> promptFormat = UnaryOperator.identity();

        private Builder() {
        }

        /**
         * Where samples come from (required), e.g. a {@code ChatModelSampler} over a remote model, and the
         * temperature that sampler was configured to sample at (agreement means little at temperature 0).
         *
         * @throws IllegalArgumentException if the temperature is negative, NaN or infinite
         */
        public Builder sampler(ChainSampler sampler, double temperature) {
            this.sampler = Objects.requireNonNull(sampler, "sampler");
            this.temperature = Arguments.temperature(temperature);
            return this;
        }

        /** How answers are extracted and compared. Default {@link AnswerExtractors#freeText()}. */
        public Builder extractor(AnswerExtractor extractor) {
            this.extractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /**
         * Samples per request, at least 2. Default 5.
         *
         * @throws IllegalArgumentException if less than 2
         */
        public Builder samples(int samples) {
            if (samples < 2) {
                throw new IllegalArgumentException("samples must be >= 2 to measure agreement, was " + samples);
            }
            this.samples = samples;
            return this;
        }

        /** The seed of the first sample; sample {@code i} uses {@code seed + i}. Default 0. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Turns the request into the prompt sent to the model ({@link QueryTemplates#format} makes one from a
         * {@code {query}} template). Default: the request as it is.
         */
        public Builder promptFormat(UnaryOperator<String> promptFormat) {
            this.promptFormat = Objects.requireNonNull(promptFormat, "promptFormat");
            return this;
        }

        /**
         * The criterion.
         *
         * @throws IllegalStateException if no sampler was given
         */
        public SamplingConsistencySelfKnowledge build() {
            if (sampler == null) {
                throw new IllegalStateException("a sampler is required");
            }
            return new SamplingConsistencySelfKnowledge(this);
        }
    }
}
