package dev.reasoningsdk.impl.confidence;

import dev.reasoningsdk.impl.internal.Arguments;import dev.reasoningsdk.impl.internal.ChatCalls;
import dev.reasoningsdk.impl.llm.AnswerExtractors;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.confidence.ConfidenceEstimator;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.impl.llm.CallResult;
import dev.reasoningsdk.impl.llm.CallScope;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.internal.ReplyWindow;
import dev.reasoningsdk.impl.internal.ThinkBlocks;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verbalized confidence with self-reflection, SaySelf style (Xu et al., 2024): the model answers, then writes
 * {@code Self-reflection: ...} (what it is unsure about, in the first person) and {@code Confidence: N} with N from
 * 1 to 10. The confidence is N / 10; the reflection is the rationale.
 *
 * <p>Parsing is lenient about form ({@code Confidence: 8}, {@code **Confidence:** 8/10}, {@code Confidence level =
 * 8 out of 10}, {@code confidence: 80%}, and on another scale the model names, {@code 85/100} or {@code 4 out of 5};
 * the last such line wins) and strict about range: a value outside 1 to 10 (after its scale) is malformed. When the
 * number is missing or malformed, the model is asked once more, in the same conversation, for just the confidence
 * line; a failed call is retried with the same messages, unless the provider refused the request itself (a client
 * error, e.g. a prompt over its context), which it would refuse again. Attempts are bounded
 * ({@link Builder#maxAttempts}, 3 by default). A number that never comes is counted, never invented: the estimate
 * then has confidence 0, the signal {@code verbalized_missing} = 1, and a rationale that says so; each attempt that
 * failed (by its kind) or came back without a usable number ({@link CallFailure#GARBAGE}) is a failed call in its
 * {@code Usage}.
 *
 * <p>Every call goes through a {@link ModelGateway} ({@link Builder#gateway}; default: one over the model with its
 * default limits), one estimate in one scope of it: the gateway's timeout, retries of transient failures, budget and
 * deadline apply, and an estimate whose scope ran out stops asking.
 *
 * <p>Parsing skips a reasoning model's think blocks ({@link ThinkBlocks}), so a confidence or reflection drafted
 * while thinking is not read. A response with no answer outside its thinking (cut off while thinking, or blank after
 * it) has nothing to rate: its estimate has confidence 0 and {@code verbalized_missing} = 1 at once, with no
 * follow-up, so that a refusal threshold refuses it. Parsing reads at most the last {@value ReplyWindow#MAX_CHARS}
 * characters of the rest for the reflection and the confidence (the answer extractor reads its own window of the
 * text before them; see {@link ReplyWindow}), in time linear in them. The follow-up carries the response as the
 * model's earlier turn without its thinking ({@link ThinkBlocks#withoutThinking}): the answer only, as the chat
 * templates of Qwen3 and DeepSeek-R1 render an earlier assistant turn.
 *
 * <p>Signals: {@code verbalized_confidence} (N, when stated), {@code verbalized_missing} (0 or 1), {@code attempts},
 * and with a missing confidence {@code unanswered}: 1 when no call came back with a reply at all (every one failed,
 * a blank reply among them), else 0.
 * Thread-safe when the model is.
 */
public final class VerbalizedConfidence implements ConfidenceEstimator {

    /** The instruction appended to the question; SaySelf's output format. */
    public static final String DEFAULT_INSTRUCTION = "Reason step by step and end your answer with \"The answer is "
            + "X.\". Then, on a new line, write \"Self-reflection:\" followed by one or two sentences, in the first "
            + "person, about what you are unsure of in your answer. On the last line write \"Confidence: N\", where "
            + "N is an integer from 1 (surely wrong) to 10 (surely right).";

    /** The follow-up sent when the confidence is missing. */
    public static final String FOLLOW_UP = "You did not state your confidence in the required form. Reply with "
            + "\"Self-reflection:\" and one sentence about what you are unsure of, then a last line \"Confidence: N\" "
            + "with N an integer from 1 to 10. Do not repeat the answer.";

    private static final Logger LOG = LoggerFactory.getLogger(VerbalizedConfidence.class);
    // White space and asterisk runs are matched possessively: nothing after one of them can start with the same
    // characters, so no match is lost, and a run of newlines is scanned once instead of once per split between runs.
    // Group 1 is the number, group 2 a percent sign, group 3 the scale of "N/M" or "N out of M".
    private static final Pattern CONFIDENCE = Pattern.compile(
            "(?i)confidence(?:\\s++(?:level|score|rating))?\\s*+\\**+\\s*+[:=]\\s*+\\**+\\s*+(\\d+(?:\\.\\d+)?)\\s*+"
                    + "(?:(%)|(?:/\\s*+|out\\s++of\\s++)(\\d+(?:\\.\\d+)?))?");
    /** Where a reflection starts: its label, the colon and the blanks and asterisks after it. */
    private static final Pattern REFLECTION =
            Pattern.compile("(?i)self[- ]?reflection\\s*+\\**+\\s*+:\\s*+\\**+\\s*+");
    private static final Pattern REFLECTION_START = Pattern.compile("(?i)self[- ]?reflection");
    /** The word that, opening a line, ends a reflection. */
    private static final Pattern CONFIDENCE_WORD = Pattern.compile("(?i)confidence");

    private final ModelGateway gateway;
    private final AnswerExtractor extractor;
    private final String instruction;
    private final int maxAttempts;

    private VerbalizedConfidence(Builder builder) {
        this.gateway = builder.model == null && builder.gateway == null ? null
                : ChatCalls.gateway(builder.model, builder.gateway);
        this.extractor = builder.extractor;
        this.instruction = builder.instruction;
        this.maxAttempts = builder.maxAttempts;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Verbalized confidence from {@code model} with numeric answers and the defaults. */
    public static VerbalizedConfidence of(ChatModel model) {
        return builder().model(model).build();
    }

    /**
     * Asks the model to answer with a self-reflection and a confidence, and parses them.
     *
     * @throws IllegalStateException if no model was configured
     */
    @Override
    public ConfidenceEstimate estimate(String question) {
        Objects.requireNonNull(question, "question");
        requireModel();
        long start = System.nanoTime();
        CallScope scope = gateway.session();
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from(prompt(question))).build();
        Usage usage = Usage.NONE;
        int attempt = 0;
        String lastFailure = null;
        while (attempt < maxAttempts) {
            attempt++;
            CallResult result = scope.call(request);
            if (!result.ok()) {
                LOG.warn("verbalized-confidence call {} of {} failed: {}", attempt, maxAttempts, result.message());
                usage = usage.plus(result.usage());
                lastFailure = result.message();
                if (result.endsAttempts()) {
                    break;
                }
                continue;
            }
            Parsed parsed = parse(result.text());
            if (parsed.confidence().isPresent()) {
                usage = usage.plus(result.usage());
                return estimateOf(parsed, attempt, usage.withWallTime(ChatCalls.since(start)));
            }
            usage = usage.plus(result.usage().withAllCallsFailed(CallFailure.GARBAGE));
            if (ThinkBlocks.nonBlankAnswerText(result.text()).isEmpty()) {
                // Not asked again: a response cut off while thinking would be cut off again at the same limit.
                return noAnswer(attempt, usage.withWallTime(ChatCalls.since(start)));
            }
            return followUp(scope, question, result.text(), parsed, attempt, usage, start);
        }
        // No call came back with a reply: what failed was the calls, not the model's statement of a confidence.
        return missing(Optional.empty(), "", attempt, lastFailure, false, usage.withWallTime(ChatCalls.since(start)));
    }

    /**
     * Parses the first chain's confidence; when it states none and a model is configured, asks the model for it
     * in a follow-up to that chain.
     *
     * @throws IllegalArgumentException if {@code samples} is empty
     */
    @Override
    public ConfidenceEstimate estimate(String question, List<ReasoningChain> samples) {
        String text = Sampled.firstResponse(question, samples);
        long start = System.nanoTime();
        Parsed parsed = parse(text);
        if (parsed.confidence().isPresent()) {
            return estimateOf(parsed, 0, Usage.ofWallTime(ChatCalls.since(start)));
        }
        if (ThinkBlocks.nonBlankAnswerText(text).isEmpty()) {
            return noAnswer(0, Usage.ofWallTime(ChatCalls.since(start)));
        }
        if (gateway == null) {
            return missing(parsed.answer(), parsed.reflection(), 0, null, true,
                    Usage.ofWallTime(ChatCalls.since(start)));
        }
        return followUp(gateway.session(), question, text, parsed, 0, Usage.NONE, start);
    }

    @Override
    public String name() {
        return "verbalized";
    }

    /**
     * Parses an answer, a self-reflection and a confidence out of a response, reading at most its last
     * {@value ReplyWindow#MAX_CHARS} characters for the reflection and the confidence. A reasoning model's think
     * blocks are skipped ({@link ThinkBlocks}): a confidence drafted while thinking is not the one it states, and a
     * response cut off while thinking has no part at all.
     *
     * @return the parts found; the confidence is in [0.1, 1] (N / 10) or empty when missing or out of range
     */
    public Parsed parse(String fullResponse) {
        Objects.requireNonNull(fullResponse, "response");
        ThinkBlocks.Split split = ThinkBlocks.split(fullResponse);
        if (split.unclosed()) {
            return new Parsed(Optional.empty(), "", OptionalDouble.empty());
        }
        String response = split.outside();
        Matcher reflectionStart = ReplyWindow.tailMatcher(REFLECTION_START, response);
        Matcher confidenceMatch = ReplyWindow.tailMatcher(CONFIDENCE, response);
        int answerEnd = response.length();
        if (reflectionStart.find()) {
            answerEnd = reflectionStart.start();
        }
        OptionalDouble confidence = OptionalDouble.empty();
        int lastConfidenceStart = -1;
        while (confidenceMatch.find()) {
            lastConfidenceStart = confidenceMatch.start();
            double value = Double.parseDouble(confidenceMatch.group(1));
            if (confidenceMatch.group(2) != null) {
                value = value / 10;
            } else if (confidenceMatch.group(3) != null) {
                // On the scale the model named: "8/100" is 0.8 of 10, out of range, not 8 of 10.
                value = value / Double.parseDouble(confidenceMatch.group(3)) * 10;
            }
            confidence = value >= 1 && value <= 10 ? OptionalDouble.of(value / 10) : OptionalDouble.empty();
        }
        if (lastConfidenceStart >= 0) {
            answerEnd = Math.min(answerEnd, lastConfidenceStart);
        }
        return new Parsed(extractor.extract(response.substring(0, answerEnd)), reflection(response), confidence);
    }

    /**
     * The first self-reflection in the window: from its label to the first line that opens (after blanks and
     * asterisks) with "confidence", or to the end; stripped.
     */
    private static String reflection(String response) {
        Matcher label = ReplyWindow.tailMatcher(REFLECTION, response);
        if (!label.find()) {
            return "";
        }
        int end = response.length();
        int from = label.end();
        Matcher word = CONFIDENCE_WORD.matcher(response);
        for (int newline = response.indexOf('\n', from); newline >= 0; newline = response.indexOf('\n', from)) {
            // Every line feed in a run of blanks and asterisks is followed by the same word: look at it once.
            from = newline + 1;
            while (from < response.length() && isBlankOrAsterisk(response.charAt(from))) {
                from++;
            }
            if (word.region(from, response.length()).lookingAt()) {
                end = newline;
                break;
            }
        }
        return response.substring(label.end(), end).strip();
    }

    /** The characters of the regex class {@code [\s*]}. */
    private static boolean isBlankOrAsterisk(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r' || c == '*';
    }

    private ConfidenceEstimate followUp(CallScope scope, String question, String answerText, Parsed parsed,
                                        int attemptsSoFar, Usage usageSoFar, long start) {
        // The model's earlier turn is its answer: Qwen3's and DeepSeek-R1's chat templates drop the thinking of an
        // earlier assistant turn, and re-sending it costs context and invites a confidence in the scratch work.
        List<ChatMessage> messages = List.of(UserMessage.from(prompt(question)),
                AiMessage.from(ThinkBlocks.withoutThinking(answerText)), UserMessage.from(FOLLOW_UP));
        ChatRequest request = ChatRequest.builder().messages(messages).build();
        Usage usage = usageSoFar;
        int attempt = attemptsSoFar;
        String lastFailure = null;
        while (attempt < maxAttempts) {
            attempt++;
            CallResult result = scope.call(request);
            if (!result.ok()) {
                LOG.warn("verbalized-confidence follow-up {} of {} failed: {}", attempt, maxAttempts,
                        result.message());
                usage = usage.plus(result.usage());
                lastFailure = result.message();
                if (result.endsAttempts()) {
                    break;
                }
                continue;
            }
            lastFailure = null;
            Parsed followed = parse(result.text());
            if (followed.confidence().isPresent()) {
                usage = usage.plus(result.usage());
                String reflection = followed.reflection().isEmpty() ? parsed.reflection() : followed.reflection();
                return estimateOf(new Parsed(parsed.answer(), reflection, followed.confidence()), attempt,
                        usage.withWallTime(ChatCalls.since(start)));
            }
            usage = usage.plus(result.usage().withAllCallsFailed(CallFailure.GARBAGE));
        }
        return missing(parsed.answer(), parsed.reflection(), attempt, lastFailure, true,
                usage.withWallTime(ChatCalls.since(start)));
    }

    private ConfidenceEstimate estimateOf(Parsed parsed, int attempts, Usage usage) {
        double confidence = parsed.confidence().orElseThrow();
        Map<String, Double> signals = new LinkedHashMap<>();
        signals.put("verbalized_confidence", confidence * 10);
        signals.put("verbalized_missing", 0.0);
        signals.put("attempts", (double) attempts);
        String rationale = parsed.reflection().isEmpty()
                ? String.format(java.util.Locale.ROOT, "The model rated its answer %.0f of 10 without a reflection.",
                confidence * 10)
                : parsed.reflection();
        return new ConfidenceEstimate(parsed.answer(), confidence, rationale, name(), signals, usage);
    }

    /**
     * The estimate of a response with no answer outside its thinking: a confidence asked for now would rate no
     * answer, and one above a refusal threshold would let the empty reply through.
     */
    private ConfidenceEstimate noAnswer(int attempts, Usage usage) {
        return new ConfidenceEstimate(Optional.empty(), 0, "The response holds no answer outside its thinking (cut off"
                + " while thinking, or empty after it): nothing to rate, so 0 is reported and no follow-up is asked.",
                name(), Map.of("verbalized_missing", 1.0, "attempts", (double) attempts), usage);
    }

    /**
     * The estimate when no confidence came; {@code lastFailure} is the message of the failed call that ended the
     * asking (null when the last attempt was answered without a usable number), so the rationale does not blame
     * the model for a call that never reached it; {@code answered} is whether any call came back with a reply (or
     * the chain was given), so that a caller can tell a model that stated no confidence from calls that all failed.
     */
    private ConfidenceEstimate missing(Optional<String> answer, String reflection, int attempts, String lastFailure,
                                       boolean answered, Usage usage) {
        Map<String, Double> signals = Map.of("verbalized_missing", 1.0, "attempts", (double) attempts,
                "unanswered", answered ? 0.0 : 1.0);
        String plural = attempts == 1 ? "" : "s";
        String rationale = (lastFailure == null
                ? "The model stated no usable confidence (" + attempts + " attempt" + plural + ")"
                : "No confidence was obtained (" + attempts + " attempt" + plural + "; the last call failed: "
                        + lastFailure + ")")
                + "; 0 is reported, not estimated." + (reflection.isEmpty() ? "" : " Its reflection: " + reflection);
        return new ConfidenceEstimate(answer, 0, rationale, name(), signals, usage);
    }

    private String prompt(String question) {
        return question + "\n\n" + instruction;
    }

    private void requireModel() {
        if (gateway == null) {
            throw new IllegalStateException("VerbalizedConfidence was built without a model; pass the responses");
        }
    }

    /**
     * What {@link #parse} found.
     *
     * @param answer     the answer extracted from the text before the reflection
     * @param reflection the self-reflection, or {@code ""}
     * @param confidence N / 10, or empty when missing or out of range
     */
    public record Parsed(Optional<String> answer, String reflection, OptionalDouble confidence) {
        /** @throws NullPointerException if a component is null */
        public Parsed {
            Objects.requireNonNull(answer, "answer");
            Objects.requireNonNull(reflection, "reflection");
            Objects.requireNonNull(confidence, "confidence");
        }
    }

    /** Builds {@link VerbalizedConfidence}. Not thread-safe. */
    public static final class Builder {
        private ChatModel model;
        private ModelGateway gateway;
        private AnswerExtractor extractor = AnswerExtractors.numeric();
        private String instruction = DEFAULT_INSTRUCTION;
        private int maxAttempts = 3;

        private Builder() {
        }

        /** The model asked; needed by {@link VerbalizedConfidence#estimate(String)} and for follow-ups. */
        public Builder model(ChatModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** The gateway the model is called through (default: a gateway over {@link #model} with its defaults). */
        public Builder gateway(ModelGateway gateway) {
            this.gateway = Objects.requireNonNull(gateway, "gateway");
            return this;
        }

        /** How the answer is extracted; numeric by default. */
        public Builder extractor(AnswerExtractor extractor) {
            this.extractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /** The instruction appended to the question; {@link #DEFAULT_INSTRUCTION} by default. */
        public Builder instruction(String instruction) {
            this.instruction = Objects.requireNonNull(instruction, "instruction");
            return this;
        }

        /**
         * Calls per estimate, first call, retries and follow-ups together; 3 by default.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = Arguments.atLeast(maxAttempts, 1, "maxAttempts");
            return this;
        }

        /** The estimator. */
        public VerbalizedConfidence build() {
            return new VerbalizedConfidence(this);
        }
    }
}
