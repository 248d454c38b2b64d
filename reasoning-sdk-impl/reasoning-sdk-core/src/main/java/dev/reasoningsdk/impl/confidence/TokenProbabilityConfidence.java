package dev.reasoningsdk.impl.confidence;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.reasoningsdk.api.LogProbsUnavailableException;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.confidence.ConfidenceEstimator;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.ChatTurn;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.model.TokenLogProb;
import dev.reasoningsdk.impl.internal.ChatCalls;
import dev.reasoningsdk.impl.internal.ThinkBlocks;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.llm.ReasoningChatResponseMetadata;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * White-box confidence from token probabilities, of a local {@link CausalLanguageModel} or of a served
 * {@link ChatModel} that returns token log-probabilities (an OpenAI-compatible server asked for {@code logprobs} and
 * {@code top_logprobs}, e.g. a model built by {@code OpenAiChatModels}).
 *
 * <p>The answer's tokens are the tokens of the response spanning the extracted answer's last verbatim occurrence
 * (the whole response when the answer is not found verbatim). A local model scores them with
 * {@link CausalLanguageModel#continuationLogProbs} after the prompt and the response up to the answer; a served
 * model's are read from the log-probabilities it returned with the response. Signals: {@code mean_token_probability}
 * and {@code min_token_probability} over the answer tokens, {@code geometric_mean_token_probability} ({@code exp} of
 * the mean log-probability), {@code response_mean_token_probability} over the whole response, and R-Tuning's (Zhang
 * et al., 2024) {@code p_sure}: after the response, the model is asked {@value #SURE_QUESTION}, and p_sure is
 * {@code p(sure) / (p(sure) + p(unsure))} at the first token where the continuations " sure" and " unsure" differ
 * (for a character-level model, the letter after the shared space). A local model scores both continuations after
 * the conversation [user: question, assistant: response, user: {@value #SURE_QUESTION}] in its own format
 * ({@link CausalLanguageModel#formatConversation}: an instruct model's chat template; {@code prompt + response +
 * "\n" + SURE_QUESTION} for a model without one) when the prompt is the model's own ({@code promptFormat}'s output
 * begins with {@link CausalLanguageModel#formatPrompt}), else after {@code prompt + response + "\n" +
 * SURE_QUESTION}; a served model is sent the conversation [user: prompt,
 * assistant: response, user: {@value #SURE_QUESTION} followed by the space the two continuations share] and answers
 * greedily, and p_sure is read from the top log-probabilities at its first token that tells them apart (for a
 * served tiny reasoner, exactly the local figure's position and distribution). {@code r_tuning} = 0.5 x geometric mean
 * + 0.5 x p_sure. When p_sure cannot be read (the question does not fit in the context; the served model's reply leaves
 * the shared prefix, or does not list both "sure" and "unsure" among its top log-probabilities; that call failed),
 * {@code p_sure} is absent, {@code p_sure_available} is 0, the rationale says why, and {@code r_tuning} is the
 * geometric mean alone. In both conversations the response, as the model's earlier turn, is its answer only
 * ({@link ThinkBlocks#withoutThinking}): a reasoning model's thinking is left out, as the chat templates of Qwen3 and
 * DeepSeek-R1 leave it out of an earlier assistant turn.
 *
 * <p>A served model that returns no log-probabilities is refused with {@link LogProbsUnavailableException} (naming
 * the model and what was missing), as is a chain without them when the estimator has no local model to score it
 * (a served model cannot score a given text); a reply to the R-Tuning question without top log-probabilities is
 * refused the same way. Served-model calls go through {@link ChatCalls#sample}; a failed first call gives an
 * estimate without an answer and confidence 0, as the sampling estimators do.
 *
 * <p>Defaults: numeric extractor, the question as the prompt, greedy decoding of up to 256 tokens, the
 * {@link Score#R_TUNING} score as the confidence. Each forward pass or served call is counted as a model call; a
 * local model's passes count the tokens they read (context and scored continuation) as input tokens, where the model
 * can count them ({@link CausalLanguageModel#promptTokenCount}), and generate none.
 * Thread-safe when the model is.
 */
public final class TokenProbabilityConfidence implements ConfidenceEstimator {

    /** R-Tuning's question, asked as a new user turn after the response (on a new line without a chat template). */
    public static final String SURE_QUESTION =
            "Are you sure you accurately answered the question based on your internal knowledge? I am";

    /**
     * Tokens a served model may generate after the R-Tuning question: enough to pass the space that " sure" and
     * " unsure" share on a character-level model.
     */
    private static final int SURE_REPLY_TOKENS = 4;

    private static final Logger LOG = LoggerFactory.getLogger(TokenProbabilityConfidence.class);

    private final CausalLanguageModel model;
    private final ModelGateway gateway;
    private final AnswerExtractor extractor;
    private final UnaryOperator<String> promptFormat;
    private final GenerationOptions options;
    private final Score score;
    private final boolean askIfSure;

    private TokenProbabilityConfidence(Builder builder) {
        this.model = builder.model;
        this.gateway = builder.chatModel == null && builder.gateway == null ? null
                : ChatCalls.gateway(builder.chatModel, builder.gateway);
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

    /**
     * Generates one response with the configured options and scores its answer.
     *
     * @throws LogProbsUnavailableException if a served model returned no token log-probabilities
     */
    @Override
    public ConfidenceEstimate estimate(String question) {
        Objects.requireNonNull(question, "question");
        long start = System.nanoTime();
        String prompt = promptFormat.apply(question);
        if (gateway != null) {
            return estimateServed(prompt, start);
        }
        Generation generation = model.generate(prompt, 1, options).get(0);
        Usage generated = new Usage(1, 1, 0, generation.promptTokens(), generation.tokenIds().length,
                ChatCalls.since(start));
        ConfidenceEstimate scored = scoreLocally(question, prompt, generation.text());
        return new ConfidenceEstimate(scored.answer(), scored.confidence(), scored.rationale(), name(),
                scored.signals(), generated.plus(scored.usage()).withWallTime(ChatCalls.since(start)));
    }

    /**
     * Scores the first chain's answer: with a local model, by scoring its text; with a served model, from the
     * token log-probabilities the chain carries (as {@code ChatModelSampler} records them).
     *
     * @throws IllegalArgumentException     if {@code samples} is empty
     * @throws LogProbsUnavailableException if the estimator has no local model and the chain carries no token
     *                                      log-probabilities, or they do not spell its text
     */
    @Override
    public ConfidenceEstimate estimate(String question, List<ReasoningChain> samples) {
        String response = Sampled.firstResponse(question, samples);
        String prompt = promptFormat.apply(question);
        if (model != null) {
            return scoreLocally(question, prompt, response);
        }
        ReasoningChain chain = samples.get(0);
        if (!chain.hasTokenLogProbs()) {
            throw new LogProbsUnavailableException(chain.source().isEmpty() ? modelName() : chain.source(),
                    "token log-probabilities on the chain, needed by " + name() + " (a served model cannot score a "
                            + "given text)");
        }
        return scoreServed(prompt, response, chain.tokenLogProbs(), Usage.NONE, System.nanoTime());
    }

    @Override
    public String name() {
        return "token_probability";
    }

    private ConfidenceEstimate estimateServed(String prompt, long start) {
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from(prompt))
                .parameters(ChatRequestParameters.builder().temperature(options.temperature()).topP(options.topP())
                        .maxOutputTokens(options.maxNewTokens()).build())
                .build();
        ChatCalls.Reply reply = ChatCalls.sample(gateway.session(), request);
        if (!reply.ok()) {
            return new ConfidenceEstimate(Optional.empty(), 0, "The model call failed (" + reply.error()
                    + "), so there is nothing to score.", name(), Map.of("answered", 0.0), reply.usage());
        }
        if (reply.tokenLogProbs().isEmpty()) {
            throw new LogProbsUnavailableException(modelName(), "token log-probabilities (logprobs) of its response, "
                    + "needed by " + name(), reply.usage().withWallTime(ChatCalls.since(start)));
        }
        return scoreServed(prompt, reply.text(), reply.tokenLogProbs(), reply.usage(), start);
    }

    private ConfidenceEstimate scoreServed(String prompt, String response, List<TokenLogProb> tokens, Usage spent,
                                           long start) {
        StringBuilder spelled = new StringBuilder();
        int[] ends = new int[tokens.size()];
        for (int i = 0; i < tokens.size(); i++) {
            spelled.append(tokens.get(i).token());
            ends[i] = spelled.length();
        }
        // A sampler may strip the white space the model wrote around its response: find it inside what the
        // tokens spell.
        int offset = spelled.indexOf(response);
        if (offset < 0) {
            throw new LogProbsUnavailableException(modelName(), "token log-probabilities whose tokens spell the "
                    + "response (they spell " + spelled.length() + " characters that do not contain its "
                    + response.length() + "), needed by " + name(), spent.withWallTime(ChatCalls.since(start)));
        }
        Optional<String> answer = extractor.extract(response);
        int answerStart = answer.map(response::lastIndexOf).orElse(-1);
        int from = answerStart >= 0 ? offset + answerStart : offset;
        int to = answerStart >= 0 ? from + answer.get().length() : offset + response.length();
        List<Double> answerLogProbs = new ArrayList<>();
        List<Double> responseLogProbs = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            int tokenStart = i == 0 ? 0 : ends[i - 1];
            responseLogProbs.add(tokens.get(i).logProb());
            // A token spans the answer when it overlaps it (a BPE token " 21" carries the space before "21").
            if (tokenStart < to && ends[i] > from) {
                answerLogProbs.add(tokens.get(i).logProb());
            }
        }
        SureQuestion.Outcome pSure = SureQuestion.Outcome.none("not asked");
        Usage usage = spent;
        if (askIfSure) {
            // The assistant turn is what the model generated, token for token, without its thinking, as the local
            // model's conversation holds it.
            ChatRequest request = ChatRequest.builder()
                    .messages(UserMessage.from(prompt), AiMessage.from(ThinkBlocks.withoutThinking(spelled.toString())),
                            UserMessage.from(SURE_QUESTION + SureQuestion.SHARED))
                    .parameters(ChatRequestParameters.builder().temperature(0.0)
                            .maxOutputTokens(SURE_REPLY_TOKENS).build())
                    .build();
            ChatCalls.Reply reply = ChatCalls.sample(gateway.session(), request);
            Usage asked = reply.usage();
            // The reply to the R-Tuning question is not a sample of an answer.
            usage = usage.plus(asked.withSamples(0));
            if (!reply.ok()) {
                pSure = SureQuestion.Outcome.none("the call failed: " + reply.error());
            } else if (reply.tokenLogProbs().isEmpty()) {
                throw new LogProbsUnavailableException(modelName(), "token log-probabilities (logprobs) of its "
                        + "reply to the R-Tuning question, needed by " + name(),
                        usage.withWallTime(ChatCalls.since(start)));
            } else {
                pSure = SureQuestion.fromReply(reply.tokenLogProbs(), SureQuestion.SHARED.length());
                if (pSure.topLogProbsMissing()) {
                    throw new LogProbsUnavailableException(modelName(), "top log-probabilities (top_logprobs) of "
                            + "its reply to the R-Tuning question, needed by " + name() + " for p_sure",
                            usage.withWallTime(ChatCalls.since(start)));
                }
            }
        }
        return estimateOf(answer, answerStart >= 0, toArray(answerLogProbs), toArray(responseLogProbs), pSure,
                usage.withWallTime(ChatCalls.since(start)));
    }

    private ConfidenceEstimate scoreLocally(String question, String prompt, String response) {
        long start = System.nanoTime();
        int calls = 0;
        Optional<String> answer = extractor.extract(response);
        int answerStart = answer.map(response::lastIndexOf).orElse(-1);
        String before = answerStart >= 0 ? response.substring(0, answerStart) : "";
        String answerText = answerStart >= 0 ? answer.get() : response;
        ScoredTokens read = new ScoredTokens();
        float[] answerLogProbs = read.pass(prompt + before, answerText);
        float[] responseLogProbs = read.pass(prompt, response);
        calls += 2;
        SureQuestion.Outcome pSure = SureQuestion.Outcome.none("not asked");
        if (askIfSure) {
            pSure = localPSure(question, prompt + response, read);
            calls += 2;
        }
        Usage usage = new Usage(0, calls, 0, read.total(), 0, ChatCalls.since(start));
        return estimateOf(answer, answerStart >= 0, toDoubles(answerLogProbs), toDoubles(responseLogProbs), pSure,
                usage);
    }

    /**
     * R-Tuning's question after the scored text. When that text begins with the model's own prompt for the
     * question ({@link CausalLanguageModel#formatPrompt}), it is a conversation: the rest is the assistant's turn
     * (white space a sampler stripped and the prompt format put back included) and the question a new user turn,
     * rendered by {@link CausalLanguageModel#formatConversation} (an instruct model's chat template; for a model
     * without one, the text, a newline and the question). Under a prompt format of the caller's own, the question is
     * appended after a newline.
     */
    private SureQuestion.Outcome localPSure(String question, String answered, ScoredTokens read) {
        String ownPrompt = model.formatPrompt(question);
        String context = answered.startsWith(ownPrompt)
                ? model.formatConversation(List.of(ChatTurn.user(question),
                        ChatTurn.assistant(ThinkBlocks.withoutThinking(answered.substring(ownPrompt.length()))),
                        ChatTurn.user(SURE_QUESTION)))
                : answered + "\n" + SURE_QUESTION;
        try {
            return SureQuestion.fromContinuations(read.pass(context, SureQuestion.SURE),
                    read.pass(context, SureQuestion.UNSURE));
        } catch (IllegalArgumentException tooLong) {
            // At the context's edge only what precedes the first difference and its first character need to fit,
            // as for a served model, which generates one token there: the same figure on a character-level model.
            int cut = SureQuestion.SHARED.length() + 1;
            try {
                return SureQuestion.fromContinuations(read.pass(context, SureQuestion.SURE.substring(0, cut)),
                        read.pass(context, SureQuestion.UNSURE.substring(0, cut)));
            } catch (IllegalArgumentException stillTooLong) {
                LOG.debug("R-Tuning question does not fit: {}", stillTooLong.getMessage());
                return SureQuestion.Outcome.none("the question does not fit in the context");
            }
        }
    }

    /**
     * The local model's teacher-forced passes of one estimate and the tokens they read: each pass's context and
     * continuation, counted as the model counts them ({@link CausalLanguageModel#promptTokenCount}; unknown once it
     * cannot say). A pass refused for want of context reads nothing. Not thread-safe: one per estimate.
     */
    private final class ScoredTokens {
        private long total;

        float[] pass(String context, String continuation) {
            float[] logProbs = model.continuationLogProbs(context, continuation);
            OptionalInt contextTokens = total == Usage.UNKNOWN_TOKENS ? OptionalInt.empty()
                    : model.promptTokenCount(context);
            total = contextTokens.isPresent() ? total + contextTokens.getAsInt() + logProbs.length
                    : Usage.UNKNOWN_TOKENS;
            return logProbs;
        }

        long total() {
            return total;
        }
    }

    private ConfidenceEstimate estimateOf(Optional<String> answer, boolean foundVerbatim, double[] answerLogProbs,
                                          double[] responseLogProbs, SureQuestion.Outcome sure, Usage usage) {
        Map<String, Double> signals = new LinkedHashMap<>();
        double geometric = Math.exp(mean(answerLogProbs));
        signals.put("mean_token_probability", meanProbability(answerLogProbs));
        signals.put("min_token_probability", minProbability(answerLogProbs));
        signals.put("geometric_mean_token_probability", geometric);
        signals.put("response_mean_token_probability", meanProbability(responseLogProbs));
        signals.put("answer_found_verbatim", foundVerbatim ? 1.0 : 0.0);
        Optional<Double> pSure = sure.pSure();
        signals.put("p_sure_available", pSure.isPresent() ? 1.0 : 0.0);
        pSure.ifPresent(p -> signals.put("p_sure", p));
        double rTuning = pSure.map(p -> 0.5 * geometric + 0.5 * p).orElse(geometric);
        signals.put("r_tuning", rTuning);
        double confidence = Math.min(1, Math.max(0, signals.get(score.signal())));
        String sureText = pSure.map(p -> String.format(Locale.ROOT, "; asked if it is sure, the model says \"sure\" "
                + "with probability %.3f", p)).orElse(askIfSure ? "; p(sure) unavailable: " + sure.reason() : "");
        String rationale = String.format(Locale.ROOT,
                "The answer's %d token%s have mean probability %.3f (lowest %.3f)%s.", answerLogProbs.length,
                answerLogProbs.length == 1 ? "" : "s", signals.get("mean_token_probability"),
                signals.get("min_token_probability"), sureText);
        return new ConfidenceEstimate(answer, confidence, rationale, name(), signals, usage);
    }

    private String modelName() {
        ChatModel served = gateway.model();
        String name = served.defaultRequestParameters() == null ? null
                : served.defaultRequestParameters().modelName();
        return name != null ? name : served.getClass().getSimpleName();
    }

    private static double[] toDoubles(float[] values) {
        double[] doubles = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            doubles[i] = values[i];
        }
        return doubles;
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double mean(double[] logProbs) {
        double sum = 0;
        for (double lp : logProbs) {
            sum += lp;
        }
        return logProbs.length == 0 ? 0 : sum / logProbs.length;
    }

    private static double meanProbability(double[] logProbs) {
        double sum = 0;
        for (double lp : logProbs) {
            sum += Math.exp(lp);
        }
        return logProbs.length == 0 ? 0 : sum / logProbs.length;
    }

    private static double minProbability(double[] logProbs) {
        double min = logProbs.length == 0 ? 0 : 1;
        for (double lp : logProbs) {
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

    /** Builds {@link TokenProbabilityConfidence}; a local or a served model is required. Not thread-safe. */
    public static final class Builder {
        private CausalLanguageModel model;
        private ChatModel chatModel;
        private ModelGateway gateway;
        private AnswerExtractor extractor = AnswerExtractors.numeric();
        private UnaryOperator<String> promptFormat = UnaryOperator.identity();
        private GenerationOptions options = GenerationOptions.greedy(256);
        private Score score = Score.R_TUNING;
        private boolean askIfSure = true;

        private Builder() {
        }

        /** A local model, which scores any text (set this or a served model). */
        public Builder model(CausalLanguageModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * A served model that returns token log-probabilities and their top alternatives in
         * {@link ReasoningChatResponseMetadata} (set this or a local model): e.g. an OpenAI-compatible endpoint built
         * by {@code OpenAiChatModels} with log-probabilities on. Its own retries should be zero.
         */
        public Builder model(ChatModel model) {
            this.chatModel = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * The protected path to a served model (set this, a served model or a local model); by default a gateway
         * with default limits over the served model.
         */
        public Builder gateway(ModelGateway gateway) {
            this.gateway = Objects.requireNonNull(gateway, "gateway");
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

        /**
         * Decoding for {@link TokenProbabilityConfidence#estimate(String)}; greedy, 256 tokens by default. A served
         * model is sent its temperature, top-p and token limit.
         */
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
         * @throws IllegalStateException if no model or both a local and a served model were set, or
         *                               {@link Score#R_TUNING} is chosen without asking
         */
        public TokenProbabilityConfidence build() {
            if (model == null && chatModel == null && gateway == null) {
                throw new IllegalStateException("TokenProbabilityConfidence needs a model");
            }
            if (model != null && (chatModel != null || gateway != null)) {
                throw new IllegalStateException("set a local model or a served model, not both");
            }
            if (score == Score.R_TUNING && !askIfSure) {
                throw new IllegalStateException("the R-Tuning score needs askIfSure(true); choose another score");
            }
            return new TokenProbabilityConfidence(this);
        }
    }
}
