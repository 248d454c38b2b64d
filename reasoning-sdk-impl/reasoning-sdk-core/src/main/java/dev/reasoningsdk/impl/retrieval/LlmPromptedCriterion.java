package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.impl.internal.ChatCalls;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.retrieval.Criterion;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.impl.llm.CallResult;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.internal.ReplyWindow;
import dev.reasoningsdk.impl.internal.ThinkBlocks;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Any of the four UAR criteria asked of an LLM through a LangChain4j {@link ChatModel}, for users who prefer a
 * prompted judge to trained heads (UAR's prompting baseline). The model is asked for a probability and the reply is
 * parsed robustly: reasoning in {@code <think>} blocks is dropped; then the first number in [0, 1] or percentage
 * ("0.8", "80%", "Probability: .8"), else a yes/no word ("Yes" = 1, "No" = 0), counts. Think blocks are skipped
 * in one pass over the reply wherever they end, by the rules every answer extractor of this library follows
 * ({@link ThinkBlocks}), except that a reply cut off while thinking is read up to the block it left open; of what is
 * left, the first {@value ReplyWindow#MAX_CHARS} characters are read (see {@link ReplyWindow}), in time linear in
 * the reply.
 *
 * <p>The call goes through a {@link ModelGateway} ({@link Builder#gateway}; default: one over the model with its
 * default limits), so it is bounded by the gateway's call timeout, even when the reply trickles in and the HTTP client
 * ignores interruption, and transient failures are retried. A call that fails for good, or a reply with neither
 * (counted as {@link CallFailure#GARBAGE}), is a failure: it is counted in the result's {@link Usage} by kind and the
 * criterion returns its {@link Builder#fallbackProbability fallback}, by default the value that never decides
 * against retrieval on its own (intent 0, knowledge 1, time 0, self-knowledge 0). Thread-safe when the model is.
 */
public final class LlmPromptedCriterion implements Criterion {

    private static final Logger LOG = LoggerFactory.getLogger(LlmPromptedCriterion.class);
    /**
     * Not inside a longer number, and not after a minus sign: a signed value is no probability, while the hyphen of a
     * range ("70-80%", after a digit) is no sign.
     */
    private static final String NOT_SIGNED = "(?<![\\d.])(?<![^\\d]-)(?<!^-)";
    private static final Pattern PERCENT = Pattern.compile(NOT_SIGNED + "(\\d{1,3}(?:\\.\\d+)?)\\s*%");
    private static final Pattern NUMBER = Pattern.compile(NOT_SIGNED + "(1(?:\\.0+)?|0?\\.\\d+|0)(?![\\d.]*\\d)");
    private static final Pattern YES_NO = Pattern.compile("(?i)\\b(yes|no)\\b");

    private final ModelGateway gateway;
    private final CriterionKind kind;
    private final UnaryOperator<String> promptFormat;
    private final double fallbackProbability;

    private LlmPromptedCriterion(Builder builder) {
        this.gateway = ChatCalls.gateway(builder.model, builder.gateway);
        this.kind = builder.kind;
        this.promptFormat = builder.promptFormat != null ? builder.promptFormat
                : QueryTemplates.format(defaultPrompt(kind));
        this.fallbackProbability = builder.fallbackProbability != null ? builder.fallbackProbability
                : defaultFallback(kind);
    }

    /** A builder; a model and a kind are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The default prompt of a criterion; {@code {query}} is replaced by the request. */
    public static String defaultPrompt(CriterionKind kind) {
        String question = switch (kind) {
            case INTENT -> "Does the user explicitly ask for a search, for sources, or for live or up-to-date "
                    + "information?";
            case KNOWLEDGE -> "Does answering this request require factual knowledge about the world, rather than "
                    + "only the input it gives (as in maths, rewriting, or coding on given code)?";
            case TIME -> "Does the correct answer to this request depend on when it is asked (could it change "
                    + "over months or years)?";
            case SELF_KNOWLEDGE -> "Can you answer this request correctly from your own knowledge, without looking "
                    + "anything up?";
        };
        return question + "\n\nRequest: {query}\n\nReply with only a probability between 0 and 1 that the answer "
                + "is yes.";
    }

    private static double defaultFallback(CriterionKind kind) {
        return kind == CriterionKind.KNOWLEDGE ? 1 : 0;
    }

    @Override
    public CriterionKind kind() {
        return kind;
    }

    /** True: the verdict is read from the model's replies, so a result with no usable reply is a fallback. */
    @Override
    public boolean judgesByModelCalls() {
        return true;
    }

    @Override
    public CriterionResult evaluate(String query) {
        Objects.requireNonNull(query, "query");
        String prompt = Objects.requireNonNull(promptFormat.apply(query), "promptFormat returned null");
        CallResult result = gateway.call(ChatRequest.builder().messages(UserMessage.from(prompt)).build());
        String reply = result.ok() ? result.text() : null;
        String failure = null;
        Usage usage = result.usage();
        if (!result.ok()) {
            failure = "call failed: " + result.failure().orElseThrow() + ": " + result.message();
            LOG.warn("{} criterion: {}", kind, failure);
        }
        OptionalDouble parsed = reply == null ? OptionalDouble.empty() : parseProbability(reply);
        if (failure == null && parsed.isEmpty()) {
            failure = "unparseable reply: " + abbreviate(reply);
            usage = usage.withAllCallsFailed(CallFailure.GARBAGE);
        }
        if (failure != null) {
            return new CriterionResult(kind, fallbackProbability, failure + "; fallback " + fallbackProbability,
                    usage);
        }
        return new CriterionResult(kind, parsed.getAsDouble(), "LLM replied: " + abbreviate(reply), usage);
    }

    /**
     * The probability stated in a reply: the first percentage or number in [0, 1] after dropping {@code <think>}
     * blocks (a signed one, {@code -0.3}, is no probability and is skipped), else yes (1) or no (0), else empty.
     * Reads the first {@value ReplyWindow#MAX_CHARS} characters left once the blocks are dropped.
     */
    static OptionalDouble parseProbability(String reply) {
        String text = withoutThinking(reply);
        Matcher percent = PERCENT.matcher(text);
        Matcher number = NUMBER.matcher(text);
        boolean hasPercent = percent.find();
        boolean hasNumber = number.find();
        if (hasPercent && (!hasNumber || percent.start() <= number.start())) {
            double value = Double.parseDouble(percent.group(1)) / 100;
            if (value <= 1) {
                return OptionalDouble.of(value);
            }
        }
        if (hasNumber) {
            return OptionalDouble.of(Double.parseDouble(number.group(1)));
        }
        Matcher yesNo = YES_NO.matcher(text);
        if (yesNo.find()) {
            return OptionalDouble.of(yesNo.group(1).equalsIgnoreCase("yes") ? 1 : 0);
        }
        return OptionalDouble.empty();
    }

    /**
     * The first {@value ReplyWindow#MAX_CHARS} characters of {@code reply} outside think blocks ({@link ThinkBlocks}):
     * of a reply cut off while thinking, what it stated before the block it left open.
     */
    private static String withoutThinking(String reply) {
        return ReplyWindow.head(ThinkBlocks.split(reply).outside());
    }

    private static String abbreviate(String reply) {
        String flat = ReplyWindow.head(reply).strip().replaceAll("\\s+", " ");
        return flat.length() <= 80 ? flat : flat.substring(0, 77) + "...";
    }

    /** Builds an {@link LlmPromptedCriterion}. */
    public static final class Builder {
        private ChatModel model;
        private ModelGateway gateway;
        private CriterionKind kind;
        private UnaryOperator<String> promptFormat;
        private Double fallbackProbability;

        private Builder() {
        }

        /** The chat model asked (this or {@link #gateway} is required). */
        public Builder model(ChatModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * The gateway the model is called through (default: a gateway over {@link #model} with its default limits);
         * set its {@code callTimeout} to bound how long a routing decision may wait.
         */
        public Builder gateway(ModelGateway gateway) {
            this.gateway = Objects.requireNonNull(gateway, "gateway");
            return this;
        }

        /** The criterion (required). */
        public Builder kind(CriterionKind kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
            return this;
        }

        /**
         * Turns the request into the prompt sent to the model; {@link QueryTemplates#format} makes one from a
         * {@code {query}} template. Default: the kind's {@link #defaultPrompt(CriterionKind)} template.
         */
        public Builder promptFormat(UnaryOperator<String> promptFormat) {
            this.promptFormat = Objects.requireNonNull(promptFormat, "promptFormat");
            return this;
        }

        /**
         * The probability returned when a call fails or its reply cannot be parsed, in [0, 1]. Default: 1 for
         * knowledge, 0 for the others, so a failure never by itself skips retrieval or forces it. The result's
         * usage then counts every call as failed, and {@link UnifiedActiveRetrieval} lets no such verdict settle
         * its decision (it reports it and asks the next criterion), whatever the fallback.
         *
         * @throws IllegalArgumentException if out of range
         */
        public Builder fallbackProbability(double fallbackProbability) {
            if (!(fallbackProbability >= 0 && fallbackProbability <= 1)) {
                throw new IllegalArgumentException("fallbackProbability must be in [0, 1], was "
                        + fallbackProbability);
            }
            this.fallbackProbability = fallbackProbability;
            return this;
        }

        /**
         * The criterion.
         *
         * @throws IllegalStateException if the model (or gateway) or kind is missing
         */
        public LlmPromptedCriterion build() {
            if ((model == null && gateway == null) || kind == null) {
                throw new IllegalStateException("a model (or gateway) and a kind are required");
            }
            return new LlmPromptedCriterion(this);
        }
    }
}
