package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.LogProbsUnavailableException;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.impl.internal.LogProbs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A white-box judge: a chain scores by how likely the model finds it, the "confidence" signal of sampling-based
 * reasoning (a model's own low-probability tokens are where its chains go wrong).
 *
 * <p>With {@code m} a chain's mean token log-probability ({@code m <= 0}), the score is
 * {@code 10 * exp(sharpness * m)}: strictly increasing in {@code m}, 10 for a certain chain, and in (0, 10]. The
 * sharpness (default 10) spreads the scores of a confident character-level model, whose mean log-probabilities lie
 * near 0, across AoR's 0-10 scale: a mean token probability of 0.98 maps to 8.2, 0.95 to 6.0, 0.90 to 3.5. Local and
 * global scores are the same absolute judgement.
 *
 * <p>Where {@code m} comes from:
 * <ul>
 *   <li><b>A local model</b> ({@link #of(CausalLanguageModel)}): the chain's text ({@code continuationFormat(chain)})
 *       is scored after the prompt {@code promptFormat(question)} in one forward pass. A chain the model cannot
 *       read (characters outside its vocabulary, too long) is left unscored and counted.</li>
 *   <li><b>The sampled log-probabilities</b> ({@link #fromSampledLogProbs()}): the mean of the log-probabilities
 *       the chain carries ({@link ReasoningChain#tokenLogProbs()}), as a remote model returned them with its
 *       sample (OpenAI's {@code logprobs}) or a local sampler recorded them; no model call. A chain without them is
 *       left unscored and counted; when no chain of a call carries any (the server ignored {@code logprobs}), the
 *       scorer throws {@link LogProbsUnavailableException} instead of returning scores that are all missing.</li>
 *   <li><b>Both</b> ({@code builder().model(m).sampledLogProbs(true)}): a chain's own log-probabilities where it
 *       carries them, the local model for the others.</li>
 * </ul>
 * For the same chain, the two sources agree when the sampler's prompt is the scorer's {@code promptFormat} and the
 * chain was sampled from the same model (both are log-probabilities under the unmodified distribution).
 *
 * <p>Defaults: the tiny reasoner's prompt format {@code "Q: <question>\nA:"} with the chain after one space,
 * sharpness 10, sampled log-probabilities off when a model is given. Thread-safe when the model is.
 */
public final class LikelihoodChainScorer implements ChainScorer {

    private static final Logger LOG = LoggerFactory.getLogger(LikelihoodChainScorer.class);

    private final CausalLanguageModel model;
    private final boolean sampledLogProbs;
    private final UnaryOperator<String> promptFormat;
    private final UnaryOperator<String> continuationFormat;
    private final double sharpness;

    private LikelihoodChainScorer(Builder builder) {
        this.model = builder.model;
        this.sampledLogProbs = builder.sampledLogProbs;
        this.promptFormat = builder.promptFormat;
        this.continuationFormat = builder.continuationFormat;
        this.sharpness = builder.sharpness;
    }

    /** A scorer on {@code model} with the defaults. */
    public static LikelihoodChainScorer of(CausalLanguageModel model) {
        return builder().model(model).build();
    }

    /**
     * A scorer that reads each chain's own token log-probabilities (a remote model's sampled chains) and calls no
     * model, with the default sharpness.
     */
    public static LikelihoodChainScorer fromSampledLogProbs() {
        return builder().sampledLogProbs(true).build();
    }

    /** A builder; a model, sampled log-probabilities or both are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The score of a mean token log-probability: {@code 10 * exp(sharpness * meanLogProb)}, clamped to [0, 10]. */
    public double score(double meanLogProb) {
        return Math.max(0, Math.min(10, 10 * Math.exp(sharpness * Math.min(0, meanLogProb))));
    }

    /**
     * The mean token log-probability of {@code chain} after the question's prompt under the local model, or NaN
     * when unscorable.
     *
     * @throws IllegalStateException if this scorer has no local model
     */
    public double meanLogProb(String question, String chain) {
        if (model == null) {
            throw new IllegalStateException("this likelihood scorer reads sampled log-probabilities only; it has no "
                    + "local model to score a text with");
        }
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
        int modelCalls = 0;
        int withoutLogProbs = 0;
        for (ReasoningChain chain : chains) {
            double mean;
            if (sampledLogProbs && chain.hasTokenLogProbs()) {
                mean = LogProbs.mean(chain.tokenLogProbs());
            } else if (model != null) {
                modelCalls++;
                try {
                    mean = meanLogProb(question, chain.text());
                } catch (IllegalArgumentException unreadable) {
                    LOG.debug("likelihood scorer could not read a chain: {}", unreadable.getMessage());
                    mean = Double.NaN;
                }
            } else {
                withoutLogProbs++;
                mean = Double.NaN;
            }
            if (Double.isNaN(mean)) {
                failures++;
                scores.add(Double.NaN);
            } else {
                scores.add(score(mean));
            }
        }
        if (withoutLogProbs > 0 && withoutLogProbs == chains.size()) {
            // Every score would be missing: refuse rather than let the aggregator rank unscored chains.
            TreeSet<String> sources = new TreeSet<>();
            chains.forEach(chain -> sources.add(chain.source().isEmpty() ? "an unnamed source" : chain.source()));
            throw new LogProbsUnavailableException(String.join(", ", sources), "token log-probabilities on its "
                    + chains.size() + " sampled chain" + (chains.size() == 1 ? "" : "s")
                    + ", needed by the likelihood scorer");
        }
        if (withoutLogProbs > 0) {
            LOG.debug("likelihood scorer: {} of {} chains carry no token log-probabilities and are unscored",
                    withoutLogProbs, chains.size());
        }
        // Local forward passes report no token counts; reading sampled log-probabilities costs no call at all.
        long tokens = modelCalls == 0 ? 0 : Usage.UNKNOWN_TOKENS;
        Usage usage = new Usage(0, modelCalls, failures - withoutLogProbs, tokens, tokens,
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
        private boolean sampledLogProbs;
        private UnaryOperator<String> promptFormat = question -> "Q: " + question + "\nA:";
        private UnaryOperator<String> continuationFormat = chain -> " " + chain.strip();
        private double sharpness = 10;

        private Builder() {
        }

        /** The local model that scores chains (required unless {@link #sampledLogProbs(boolean)} is on). */
        public Builder model(CausalLanguageModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * Whether a chain that carries token log-probabilities is scored from them rather than by the local model
         * (default false; {@link #fromSampledLogProbs()} turns it on without a model).
         */
        public Builder sampledLogProbs(boolean sampledLogProbs) {
            this.sampledLogProbs = sampledLogProbs;
            return this;
        }

        /**
         * Turns a question into the prompt the chain continues under the local model (default
         * {@code "Q: <question>\nA:"}).
         */
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

        /** @throws IllegalStateException if neither a model nor sampled log-probabilities were set */
        public LikelihoodChainScorer build() {
            if (model == null && !sampledLogProbs) {
                throw new IllegalStateException("a causal language model or sampledLogProbs(true) is required");
            }
            return new LikelihoodChainScorer(this);
        }
    }
}
