package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A white-box judge: a chain scores by how likely a local {@link CausalLanguageModel} finds it, the "confidence"
 * signal of sampling-based reasoning (a model's own low-probability tokens are where its chains go wrong).
 *
 * <p>The chain's text ({@code continuationFormat(chain)}) is scored after the prompt {@code promptFormat(question)}
 * in one forward pass. With {@code m} its mean token log-probability ({@code m <= 0}), the score is
 * {@code 10 * exp(sharpness * m)}: strictly increasing in {@code m}, 10 for a certain chain, and in (0, 10]. The
 * sharpness (default 10) spreads the scores of a confident character-level model, whose mean log-probabilities lie
 * near 0, across AoR's 0-10 scale: a mean token probability of 0.98 maps to 8.2, 0.95 to 6.0, 0.90 to 3.5. Local and
 * global scores are the same absolute judgement. A chain the model cannot read (characters outside its vocabulary,
 * too long) is left unscored and counted.
 *
 * <p>Defaults: the tiny reasoner's prompt format {@code "Q: <question>\nA:"} with the chain after one space,
 * sharpness 10. Thread-safe when the
 * model is.
 */
public final class LikelihoodChainScorer implements ChainScorer {

    private static final Logger LOG = LoggerFactory.getLogger(LikelihoodChainScorer.class);

    private final CausalLanguageModel model;
    private final UnaryOperator<String> promptFormat;
    private final UnaryOperator<String> continuationFormat;
    private final double sharpness;

    private LikelihoodChainScorer(Builder builder) {
        this.model = builder.model;
        this.promptFormat = builder.promptFormat;
        this.continuationFormat = builder.continuationFormat;
        this.sharpness = builder.sharpness;
    }

    /** A scorer on {@code model} with the defaults. */
    public static LikelihoodChainScorer of(CausalLanguageModel model) {
        return builder().model(model).build();
    }

    /** A builder; the model is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The score of a mean token log-probability: {@code 10 * exp(sharpness * meanLogProb)}, clamped to [0, 10]. */
    public double score(double meanLogProb) {
        return Math.max(0, Math.min(10, 10 * Math.exp(sharpness * Math.min(0, meanLogProb))));
    }

    /** The mean token log-probability of {@code chain} after the question's prompt, or NaN when unscorable. */
    public double meanLogProb(String question, String chain) {
        float[] logProbs = model.continuationLogProbs(promptFormat.apply(question),
                continuationFormat.apply(chain));
        if (logProbs.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (float logProb : logProbs) {
            sum += logProb;
        }
        return sum / logProbs.length;
    }

    /** One score per chain; references are ignored because the likelihood is absolute. */
    @Override
    public Scores scoreLocally(String question, List<ReasoningChain> chains, List<ScoredChain> references) {
        return scoreAll(question, chains);
    }

    /** The same absolute score as {@link #scoreLocally}. */
    @Override
    public Scores scoreGlobally(String question, List<ReasoningChain> representatives) {
        return scoreAll(question, representatives);
    }

    private Scores scoreAll(String question, List<ReasoningChain> chains) {
        Objects.requireNonNull(question, "question");
        long start = System.nanoTime();
        List<Double> scores = new ArrayList<>(chains.size());
        int failures = 0;
        for (ReasoningChain chain : chains) {
            double mean;
            try {
                mean = meanLogProb(question, chain.text());
            } catch (IllegalArgumentException unreadable) {
                LOG.debug("likelihood scorer could not read a chain: {}", unreadable.getMessage());
                mean = Double.NaN;
            }
            if (Double.isNaN(mean)) {
                failures++;
                scores.add(Double.NaN);
            } else {
                scores.add(score(mean));
            }
        }
        Usage usage = new Usage(0, chains.size(), failures, Usage.UNKNOWN_TOKENS, Usage.UNKNOWN_TOKENS,
                Duration.ofNanos(System.nanoTime() - start));
        return new Scores(scores, failures, usage);
    }

    /** {@code "likelihood"}. */
    @Override
    public String name() {
        return "likelihood";
    }

    /** Builds a {@link LikelihoodChainScorer}. Not thread-safe. */
    public static final class Builder {
        private CausalLanguageModel model;
        private UnaryOperator<String> promptFormat = question -> "Q: " + question + "\nA:";
        private UnaryOperator<String> continuationFormat = chain -> " " + chain.strip();
        private double sharpness = 10;

        private Builder() {
        }

        /** The local model that scores chains (required). */
        public Builder model(CausalLanguageModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** Turns a question into the prompt the chain continues (default {@code "Q: <question>\nA:"}). */
        public Builder promptFormat(UnaryOperator<String> promptFormat) {
            this.promptFormat = Objects.requireNonNull(promptFormat, "promptFormat");
            return this;
        }

        /**
         * Turns a chain's text into the continuation the model scores (default: one space, then the stripped text,
         * as the tiny reasoner's chains follow {@code "A:"}).
         */
        public Builder continuationFormat(UnaryOperator<String> continuationFormat) {
            this.continuationFormat = Objects.requireNonNull(continuationFormat, "continuationFormat");
            return this;
        }

        /**
         * How strongly the mean log-probability is spread over 0-10 (default 10).
         *
         * @throws IllegalArgumentException if not positive and finite
         */
        public Builder sharpness(double sharpness) {
            if (!(sharpness > 0) || Double.isInfinite(sharpness)) {
                throw new IllegalArgumentException("sharpness must be positive and finite, was " + sharpness);
            }
            this.sharpness = sharpness;
            return this;
        }

        /** @throws IllegalStateException if no model was set */
        public LikelihoodChainScorer build() {
            if (model == null) {
                throw new IllegalStateException("a causal language model is required");
            }
            return new LikelihoodChainScorer(this);
        }
    }
}
