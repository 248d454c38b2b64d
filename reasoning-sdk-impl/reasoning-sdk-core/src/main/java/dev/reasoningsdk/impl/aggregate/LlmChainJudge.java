package dev.reasoningsdk.impl.aggregate;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.ChatCalls;
import dev.reasoningsdk.impl.internal.ThinkBlocks;
import dev.reasoningsdk.impl.llm.CallResult;
import dev.reasoningsdk.impl.llm.CallScope;
import dev.reasoningsdk.impl.llm.ModelGateway;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LLM judge of Aggregation of Reasoning (Yin et al., 2024): any LangChain4j {@link ChatModel} scores chains
 * against AoR's rubrics ({@link JudgeRubric}), all the chains given in one call, numbered 1..n.
 *
 * <p>The judge is asked to end each chain's evaluation with {@code Chain N Total Score: X/10}. Scores are mapped to
 * chains by that number ({@link JudgeReplyParser}). When some chain's score is missing, the judge is asked once to
 * restate the scores of that reply as a JSON object (structured output), shown the reply outside a reasoning judge's
 * think blocks ({@link ThinkBlocks#withoutThinking}; none for a reply with nothing but white space outside them, cut
 * off while thinking or not, which holds no evaluation); if scores are still missing, the whole
 * call is repeated, up to {@code maxAttempts} calls in all (default 3), keeping the scores already read. A chain
 * left without a score gets {@code NaN} and is counted in {@link Scores#failures()}; a call that fails is counted as
 * failed in the usage by its kind, and one that yields no score at all as {@link CallFailure#GARBAGE}. Nothing here
 * throws for a misbehaving judge.
 *
 * <p>Every call goes through a {@link ModelGateway} ({@link Builder#gateway}; default: one over the model with its
 * default limits: 60 s per call, transient failures retried with backoff, a 429's Retry-After honoured). Each
 * scoring call opens a scope of the gateway, so the gateway's {@code maxCalls} and {@code deadline} bound each
 * scoring; {@link AggregationOfReasoning} puts all the scorings of one aggregation in one scope instead, with its
 * judge-call bound. A scoring whose scope ran out or was cancelled stops at once, its chains unscored, and so does
 * one whose request the provider refused (a client error: a prompt over its context, a bad request, a missing key),
 * since its attempts would send the same request again.
 *
 * <p>Unlike the reference code, the prompts show the judge the question (a judge cannot check reasoning against a
 * problem it has not seen). In AoR's dynamic phase the local prompt also shows the group's best and worst scored
 * chains as references. Defaults: {@link JudgeRubric#GENERAL}, temperature 0, 3 attempts, structured fallback on.
 * Thread-safe when the chat model is.
 */
public final class LlmChainJudge implements ChainScorer {

    private static final Logger LOG = LoggerFactory.getLogger(LlmChainJudge.class);

    private final ModelGateway gateway;
    private final JudgeRubric rubric;
    private final double temperature;
    private final int maxAttempts;
    private final boolean structuredFallback;

    private LlmChainJudge(Builder builder) {
        this.gateway = ChatCalls.gateway(builder.model, builder.gateway);
        this.rubric = builder.rubric;
        this.temperature = builder.temperature;
        this.maxAttempts = builder.maxAttempts;
        this.structuredFallback = builder.structuredFallback;
    }

    /** A judge on {@code model} with the defaults. */
    public static LlmChainJudge of(ChatModel model) {
        return builder().model(model).build();
    }

    /** A builder; the model is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Scores chains that share an answer, showing the judge the given references first. */
    @Override
    public Scores scoreLocally(String question, List<ReasoningChain> chains, List<ScoredChain> references) {
        return scoreLocally(gateway.session(), question, chains, references);
    }

    /** Compares one representative chain per answer. */
    @Override
    public Scores scoreGlobally(String question, List<ReasoningChain> representatives) {
        return scoreGlobally(gateway.session(), question, representatives);
    }

    /** The gateway the judge calls through. */
    public ModelGateway gateway() {
        return gateway;
    }

    /** This judge with every call in {@code scope}, so one budget and deadline bound all its scorings. */
    ChainScorer within(CallScope scope) {
        Objects.requireNonNull(scope, "scope");
        LlmChainJudge judge = this;
        return new ChainScorer() {
            @Override
            public Scores scoreLocally(String question, List<ReasoningChain> chains, List<ScoredChain> references) {
                return judge.scoreLocally(scope, question, chains, references);
            }

            @Override
            public Scores scoreGlobally(String question, List<ReasoningChain> representatives) {
                return judge.scoreGlobally(scope, question, representatives);
            }

            @Override
            public String name() {
                return judge.name();
            }
        };
    }

    private Scores scoreLocally(CallScope scope, String question, List<ReasoningChain> chains,
                                List<ScoredChain> references) {
        Objects.requireNonNull(references, "references");
        return judge(scope, rubric.localSystemPrompt(), localPrompt(question, chains, references), chains.size());
    }

    private Scores scoreGlobally(CallScope scope, String question, List<ReasoningChain> representatives) {
        return judge(scope, rubric.globalSystemPrompt(), globalPrompt(question, representatives),
                representatives.size());
    }

    /** {@code "llm-judge"}. */
    @Override
    public String name() {
        return "llm-judge";
    }

    /** The user message of a local scoring call: question, references, numbered chains, output format. */
    static String localPrompt(String question, List<ReasoningChain> chains, List<ScoredChain> references) {
        StringBuilder prompt = new StringBuilder(questionBlock(question));
        if (!references.isEmpty()) {
            prompt.append("For reference, chains with the same answer that were already scored:\n\n");
            ScoredChain best = references.get(0);
            prompt.append("Higher-scoring chain (Total Score: ").append(format(best)).append("/10):\n")
                    .append(best.chain().text().strip()).append("\n\n");
            if (references.size() > 1) {
                ScoredChain worst = references.get(references.size() - 1);
                prompt.append("Lower-scoring chain (Total Score: ").append(format(worst)).append("/10):\n")
                        .append(worst.chain().text().strip()).append("\n\n");
            }
            prompt.append("Use them to calibrate your scores of the chains below.\n\n");
        }
        return prompt.append(numberedChains(chains)).append(instructions("chain")).toString();
    }

    /** The user message of a global evaluation call. */
    static String globalPrompt(String question, List<ReasoningChain> representatives) {
        return questionBlock(question) + numberedChains(representatives) + instructions("chain");
    }

    private static String questionBlock(String question) {
        return "Question:\n" + Objects.requireNonNull(question, "question").strip() + "\n\n";
    }

    private static String numberedChains(List<ReasoningChain> chains) {
        if (chains.isEmpty()) {
            throw new IllegalArgumentException("no chains to judge");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < chains.size(); i++) {
            text.append("Chain ").append(i + 1).append(":\n").append(chains.get(i).text().strip()).append("\n\n");
        }
        return text.toString();
    }

    private static String instructions(String unit) {
        return "Evaluate each " + unit + " in detail against the rubric. End the evaluation of each " + unit
                + " with a line of the form 'Chain N Total Score: X/10', where N is the chain's number and X its "
                + "total score.\n";
    }

    private static String format(ScoredChain chain) {
        double score = chain.localScore().orElse(0);
        return score == Math.rint(score) ? String.valueOf((long) score) : String.format(Locale.ROOT, "%.1f", score);
    }

    /** The request for the structured fallback: restate one reply's scores as JSON. */
    static String extractionPrompt(String reply, int count) {
        return "Below is an evaluation of " + count + " reasoning chains numbered 1 to " + count + ". Return only a "
                + "JSON object that maps each chain number to the total score out of 10 the evaluation gives it, "
                + "for example {\"1\": 7, \"2\": 9}. Use null for a chain whose total score the evaluation does not "
                + "state.\n\nEvaluation:\n" + reply;
    }

    private Scores judge(CallScope scope, String systemPrompt, String userPrompt, int count) {
        long start = System.nanoTime();
        Map<Integer, Double> found = new TreeMap<>();
        Usage usage = Usage.NONE;
        for (int attempt = 1; attempt <= maxAttempts && found.size() < count; attempt++) {
            Call call = call(scope, ChatRequest.builder()
                    .messages(SystemMessage.from(systemPrompt), UserMessage.from(userPrompt))
                    .temperature(temperature).build());
            if (call.text == null) {
                usage = usage.plus(call.usage);
                if (call.endsScoring) {
                    break;
                }
                continue;
            }
            Map<Integer, Double> parsed = JudgeReplyParser.parseText(call.text, count);
            // The evaluation restated is the judge's reply outside its thinking, where its scores are read: scores it
            // drafted while thinking are not its verdict. One with nothing outside its thinking has none to restate:
            // scores restated from an empty evaluation could only be invented.
            if (structuredFallback && !covers(found, parsed, count)
                    && ThinkBlocks.nonBlankAnswerText(call.text).isPresent()) {
                Call extraction = call(scope, ChatRequest.builder()
                        .messages(UserMessage.from(extractionPrompt(ThinkBlocks.withoutThinking(call.text), count)))
                        .responseFormat(ResponseFormat.JSON).temperature(0.0).build());
                Map<Integer, Double> structured = extraction.text == null ? Map.of()
                        : JudgeReplyParser.parseJson(extraction.text, count);
                structured.forEach(parsed::putIfAbsent);
                usage = usage.plus(structured.isEmpty() ? extraction.failed() : extraction.usage);
            }
            // A reply from which no score at all could be read is garbage: the call counts as failed.
            usage = usage.plus(parsed.isEmpty() ? call.failed() : call.usage);
            if (parsed.isEmpty()) {
                LOG.warn("judge reply {} of {} held no score: {}", attempt, maxAttempts, abbreviate(call.text));
            }
            parsed.forEach(found::putIfAbsent);
        }
        List<Double> scores = new ArrayList<>(count);
        for (int n = 1; n <= count; n++) {
            scores.add(found.getOrDefault(n, Double.NaN));
        }
        int failures = count - found.size();
        if (failures > 0) {
            LOG.warn("judge left {} of {} chains unscored after {} attempts", failures, count, maxAttempts);
        }
        return new Scores(scores, failures, usage.withWallTime(Duration.ofNanos(System.nanoTime() - start)));
    }

    private static boolean covers(Map<Integer, Double> found, Map<Integer, Double> parsed, int count) {
        for (int n = 1; n <= count; n++) {
            if (!found.containsKey(n) && !parsed.containsKey(n)) {
                return false;
            }
        }
        return true;
    }

    private static Call call(CallScope scope, ChatRequest request) {
        CallResult result = scope.call(request);
        if (!result.ok()) {
            LOG.warn("judge call failed: {}", result.message());
        }
        // The attempts repeat the same request: one that cannot succeed again ends the scoring.
        return new Call(result.ok() ? result.text() : null, result.usage(), result.endsAttempts());
    }

    private static String abbreviate(String text) {
        String oneLine = text.replace('\n', ' ');
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
    }

    /**
     * One judge call: its text (null when it failed), cost, and whether no further attempt of the scoring can
     * succeed ({@code endsScoring}: its scope ran out or was cancelled, or the provider refused the request itself).
     */
    private record Call(String text, Usage usage, boolean endsScoring) {
        /** This call's cost, with a reply that held no score counted as a failed call. */
        Usage failed() {
            return usage.withAllCallsFailed(CallFailure.GARBAGE);
        }
    }

    /** Builds an {@link LlmChainJudge}. Not thread-safe. */
    public static final class Builder {
        private ChatModel model;
        private ModelGateway gateway;
        private JudgeRubric rubric = JudgeRubric.GENERAL;
        private double temperature;
        private int maxAttempts = 3;
        private boolean structuredFallback = true;

        private Builder() {
        }

        /** The judge model (this or {@link #gateway} is required). */
        public Builder model(ChatModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * The gateway the judge model is called through (default: a gateway over {@link #model} with its default
         * limits); share one to share its concurrency limit, or set its {@code callTimeout} and {@code deadline}.
         */
        public Builder gateway(ModelGateway gateway) {
            this.gateway = Objects.requireNonNull(gateway, "gateway");
            return this;
        }

        /** The rubric (default {@link JudgeRubric#GENERAL}; {@link JudgeRubric#MATH} for math problems). */
        public Builder rubric(JudgeRubric rubric) {
            this.rubric = Objects.requireNonNull(rubric, "rubric");
            return this;
        }

        /**
         * The judge's sampling temperature (default 0, for repeatable scores).
         *
         * @throws IllegalArgumentException if negative, NaN or infinite
         */
        public Builder temperature(double temperature) {
            this.temperature = Arguments.temperature(temperature);
            return this;
        }

        /**
         * Judge calls per batch at most, the first included (default 3).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** Whether to ask for the scores as JSON when a reply lacks some (default true). */
        public Builder structuredFallback(boolean structuredFallback) {
            this.structuredFallback = structuredFallback;
            return this;
        }

        /** @throws IllegalStateException if neither a model nor a gateway was set */
        public LlmChainJudge build() {
            if (model == null && gateway == null) {
                throw new IllegalStateException("a chat model (or gateway) is required");
            }
            return new LlmChainJudge(this);
        }
    }
}
