package dev.reasoningsdk.impl.confidence;

import dev.reasoningsdk.impl.internal.ChatCalls;
import dev.reasoningsdk.impl.internal.LogisticRegression;
import dev.reasoningsdk.impl.llm.AnswerExtractors;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.confidence.ConfidenceEstimator;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * White-box confidence from token probabilities of a local {@link CausalLanguageModel}.
 *
 * <p>The answer's tokens are scored by {@link CausalLanguageModel#continuationLogProbs} after the prompt and the
 * response up to the answer (the last verbatim occurrence of the extracted answer; the whole response when the answer
 * is not found verbatim). Signals: {@code mean_token_probability} and {@code min_token_probability} over the
 * answer tokens, {@code geometric_mean_token_probability} ({@code exp} of the mean log-probability),
 * {@code response_mean_token_probability} over the whole response, and, R-Tuning's (Zhang et al., 2024)
 * {@code p_sure} = p("sure") / (p("sure") + p("unsure")) as the continuation of the response followed by
 * {@value #SURE_QUESTION}, and {@code r_tuning} = 0.5 x geometric mean + 0.5 x p_sure. When the sure question does
 * not fit in the context, {@code p_sure} is absent, {@code p_sure_available} is 0 and {@code r_tuning} is the
 * geometric mean alone.
 *
 * <p>Defaults: numeric extractor, the question as the prompt, greedy decoding of up to 256 tokens, the
 * {@link Score#R_TUNING} score as the confidence. Each forward pass is counted as a model call. Thread-safe when
 * the model is.
 */
public final class TokenProbabilityConfidence implements ConfidenceEstimator {

    /** R-Tuning's question, appended on a new line after the response. */
    public static final String SURE_QUESTION =
            "Are you sure you accurately answered the question based on your internal knowledge? I am";

    private static final Logger LOG = LoggerFactory.getLogger(TokenProbabilityConfidence.class);

    private final CausalLanguageModel model;
    private final AnswerExtractor extractor;
    private final UnaryOperator<String> promptFormat;
    private final GenerationOptions options;
    private final Score score;
    private final boolean askIfSure;

    private TokenProbabilityConfidence(Builder builder) {
        this.model = builder.model;
        this.extractor = builder.extractor;
        this.promptFormat = builder.promptFormat;
        this.options = builder.options;
        this.score = builder.score;
        this.askIfSure = builder.askIfSure;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Generates one response with the configured options and scores its answer. */
    @Override
    public ConfidenceEstimate estimate(String question) {
        Objects.requireNonNull(question, "question");
        long start = System.nanoTime();
        String prompt = promptFormat.apply(question);
        Generation generation = model.generate(prompt, 1, options).get(0);
        Usage generated = new Usage(1, 1, 0, generation.promptTokens(), generation.tokenIds().length,
                ChatCalls.since(start));
        ConfidenceEstimate scored = score(prompt, generation.text());
        return new ConfidenceEstimate(scored.answer(), scored.confidence(), scored.rationale(), name(),
                scored.signals(), generated.plus(scored.usage()).withWallTime(ChatCalls.since(start)));
    }

    /**
     * Scores the first chain's answer.
     *
     * @throws IllegalArgumentException if {@code samples} is empty
     */
    @Override
    public ConfidenceEstimate estimate(String question, List<ReasoningChain> samples) {
        String response = Sampled.firstResponse(question, samples);
        return score(promptFormat.apply(question), response);
    }

    @Override
    public String name() {
        return "token_probability";
    }

    private ConfidenceEstimate score(String prompt, String response) {
        long start = System.nanoTime();
        int calls = 0;
        Optional<String> answer = extractor.extract(response);
        int answerStart = answer.map(response::lastIndexOf).orElse(-1);
        String before = answerStart >= 0 ? response.substring(0, answerStart) : "";
        String answerText = answerStart >= 0 ? answer.get() : response;
        float[] answerLogProbs = model.continuationLogProbs(prompt + before, answerText);
        float[] responseLogProbs = model.continuationLogProbs(prompt, response);
        calls += 2;
        Map<String, Double> signals = new LinkedHashMap<>();
        double geometric = Math.exp(mean(answerLogProbs));
        signals.put("mean_token_probability", meanProbability(answerLogProbs));
        signals.put("min_token_probability", minProbability(answerLogProbs));
        signals.put("geometric_mean_token_probability", geometric);
        signals.put("response_mean_token_probability", meanProbability(responseLogProbs));
        signals.put("answer_found_verbatim", answerStart >= 0 ? 1.0 : 0.0);
        Optional<Double> pSure = Optional.empty();
        if (askIfSure) {
            pSure = pSure(prompt + response);
            calls += 2;
        }
        signals.put("p_sure_available", pSure.isPresent() ? 1.0 : 0.0);
        pSure.ifPresent(p -> signals.put("p_sure", p));
        double rTuning = pSure.map(p -> 0.5 * geometric + 0.5 * p).orElse(geometric);
        signals.put("r_tuning", rTuning);
        double confidence = Math.min(1, Math.max(0, signals.get(score.signal())));
        String rationale = String.format(Locale.ROOT,
                "The answer's %d token%s have mean probability %.3f (lowest %.3f)%s.", answerLogProbs.length,
                answerLogProbs.length == 1 ? "" : "s", signals.get("mean_token_probability"),
                signals.get("min_token_probability"),
                pSure.map(p -> String.format(Locale.ROOT, "; asked if it is sure, the model says \"sure\" with "
                        + "probability %.3f", p)).orElse(""));
        Usage usage = new Usage(0, calls, 0, Usage.UNKNOWN_TOKENS, 0, ChatCalls.since(start));
        return new ConfidenceEstimate(answer, confidence, rationale, name(), signals, usage);
    }

    private Optional<Double> pSure(String answered) {
        String context = answered + "\n" + SURE_QUESTION;
        try {
            double sure = sum(model.continuationLogProbs(context, " sure"));
            double unsure = sum(model.continuationLogProbs(context, " unsure"));
            // p(sure) / (p(sure) + p(unsure)) = sigmoid(log p(sure) - log p(unsure)), stable for tiny values.
            return Optional.of(LogisticRegression.sigmoid(sure - unsure));
        } catch (IllegalArgumentException tooLong) {
            LOG.debug("R-Tuning question does not fit: {}", tooLong.getMessage());
            return Optional.empty();
        }
    }

    private static double mean(float[] logProbs) {
        return logProbs.length == 0 ? 0 : sum(logProbs) / logProbs.length;
    }

    private static double sum(float[] logProbs) {
        double sum = 0;
        for (float lp : logProbs) {
            sum += lp;
        }
        return sum;
    }

    private static double meanProbability(float[] logProbs) {
        double sum = 0;
        for (float lp : logProbs) {
            sum += Math.exp(lp);
        }
        return logProbs.length == 0 ? 0 : sum / logProbs.length;
    }

    private static double minProbability(float[] logProbs) {
        double min = logProbs.length == 0 ? 0 : 1;
        for (float lp : logProbs) {
            min = Math.min(min, Math.exp(lp));
        }
        return min;
    }

    /** Which signal becomes the confidence. */
    public enum Score {
        /** Mean token probability of the answer. */
        MEAN("mean_token_probability"),
        /** Lowest token probability of the answer. */
        MIN("min_token_probability"),
        /** Geometric mean token probability of the answer. */
        GEOMETRIC_MEAN("geometric_mean_token_probability"),
        /** R-Tuning's 0.5 x geometric mean + 0.5 x p(sure). */
        R_TUNING("r_tuning");

        private final String signal;

        Score(String signal) {
            this.signal = signal;
        }

        /** The signal's name in the estimate. */
        public String signal() {
            return signal;
        }
    }

    /** Builds {@link TokenProbabilityConfidence}; the model is required. Not thread-safe. */
    public static final class Builder {
        private CausalLanguageModel model;
        private AnswerExtractor extractor = AnswerExtractors.numeric();
        private UnaryOperator<String> promptFormat = UnaryOperator.identity();
        private GenerationOptions options = GenerationOptions.greedy(256);
        private Score score = Score.R_TUNING;
        private boolean askIfSure = true;

        private Builder() {
        }

        /** The local model. */
        public Builder model(CausalLanguageModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** How the answer is extracted; numeric by default. */
        public Builder extractor(AnswerExtractor extractor) {
            this.extractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /** Turns a question into the model's prompt; identity by default. */
        public Builder promptFormat(UnaryOperator<String> promptFormat) {
            this.promptFormat = Objects.requireNonNull(promptFormat, "promptFormat");
            return this;
        }

        /** Decoding for {@link TokenProbabilityConfidence#estimate(String)}; greedy, 256 tokens by default. */
        public Builder generationOptions(GenerationOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /** Which signal is the confidence; {@link Score#R_TUNING} by default. */
        public Builder score(Score score) {
            this.score = Objects.requireNonNull(score, "score");
            return this;
        }

        /** Whether to ask R-Tuning's "are you sure" question (two more passes); true by default. */
        public Builder askIfSure(boolean askIfSure) {
            this.askIfSure = askIfSure;
            return this;
        }

        /**
         * The estimator.
         *
         * @throws IllegalStateException if no model was set, or {@link Score#R_TUNING} is chosen without asking
         */
        public TokenProbabilityConfidence build() {
            if (model == null) {
                throw new IllegalStateException("TokenProbabilityConfidence needs a model");
            }
            if (score == Score.R_TUNING && !askIfSure) {
                throw new IllegalStateException("the R-Tuning score needs askIfSure(true); choose another score");
            }
            return new TokenProbabilityConfidence(this);
        }
    }
}
