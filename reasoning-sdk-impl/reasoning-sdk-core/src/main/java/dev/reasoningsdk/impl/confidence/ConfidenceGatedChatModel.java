package dev.reasoningsdk.impl.confidence;

import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.ChatCalls;
import dev.reasoningsdk.impl.internal.SpentBefore;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.CallResult;
import dev.reasoningsdk.impl.llm.CallScope;
import dev.reasoningsdk.impl.llm.LlmCallException;
import dev.reasoningsdk.impl.llm.ModelGateway;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.BudgetExhaustedException;
import dev.reasoningsdk.api.LogProbsUnavailableException;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.confidence.Calibrator;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.confidence.ConfidenceEstimator;
import dev.reasoningsdk.api.model.AnswerExtractor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A LangChain4j {@link ChatModel} that answers with a confidence and a rationale, and says "I don't know" when the
 * confidence is below a threshold: the one-line way to add calibrated refusal to an application.
 *
 * <pre>{@code
 * ChatModel careful = ConfidenceGatedChatModel.builder().delegate(model).threshold(0.6).build();
 * ChatResponse response = careful.chat(request);
 * ConfidenceChatResponseMetadata meta = (ConfidenceChatResponseMetadata) response.metadata();
 * }</pre>
 *
 * <p>Each request is sent to the delegate {@link Builder#samples(int) samples} times (5 by default; set the
 * delegate's temperature above 0 for sampling consistency to mean anything). The estimator (sampling consistency
 * with numeric answers by default) scores the responses for the last user message's text; the calibrator (none by
 * default) maps its score to a probability; below the threshold (0.5 by default) the answer is replaced by the
 * refusal ("I don't know.") and the rationale. Otherwise the first response that reaches the estimate's answer is
 * returned. The confidence, the rationale and the refusal flag are attached as {@link ConfidenceChatResponseMetadata}
 * and as the AI message's attributes {@code confidence}, {@code raw_confidence}, {@code rationale} and
 * {@code refused}; {@link Builder#appendConfidence(boolean)} also appends them to the text.
 *
 * <p>The samples are drawn concurrently through a {@link ModelGateway} ({@link Builder#gateway}; default: one over
 * the delegate with its default limits: 8 calls in flight, 60 s per call, transient failures retried with backoff
 * and Retry-After honoured), one request in one scope of it, so the gateway's budget and deadline bound each request.
 * A reply without a message or text is a {@link dev.reasoningsdk.api.CallFailure#GARBAGE} failure, never a
 * {@code NullPointerException}. Failed samples are counted by kind in the metadata's usage; the call fails only when
 * every sample fails, with the SDK's typed exception for the last failure ({@link LlmCallException} with the HTTP
 * status and Retry-After where known, {@link BudgetExhaustedException} when the budget or deadline ran out, a
 * {@link ReasoningException} otherwise), never a raw LangChain4j one; its {@link ReasoningException#usage()} counts
 * every sample's calls. When some samples failed, the estimate is made on the others, and its rationale and its
 * signal {@code failed_samples} say how many failed. Thread-safe when the delegate and estimator are.
 */
public final class ConfidenceGatedChatModel implements ChatModel {

    private static final Logger LOG = LoggerFactory.getLogger(ConfidenceGatedChatModel.class);

    private final ModelGateway gateway;
    private final ConfidenceEstimator estimator;
    private final Calibrator calibrator;
    private final RefusalPolicy policy;
    private final AnswerExtractor extractor;
    private final int samples;
    private final boolean appendConfidence;

    private ConfidenceGatedChatModel(Builder builder) {
        this.gateway = builder.gateway != null ? builder.gateway : ModelGateway.of(builder.delegate);
        this.estimator = builder.estimator;
        this.calibrator = builder.calibrator;
        this.policy = new RefusalPolicy(builder.threshold, builder.refusal);
        this.extractor = builder.extractor;
        this.samples = builder.samples;
        this.appendConfidence = builder.appendConfidence;
    }

    /** A new builder; the delegate is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @throws IllegalArgumentException     if the request has no user message with text
     * @throws LlmCallException             if every sample failed and the last failure was a failed call
     * @throws BudgetExhaustedException     if every sample failed and the gateway's budget or deadline ran out
     * @throws ReasoningException           if every sample failed otherwise (unusable replies, cancelled)
     * @throws LogProbsUnavailableException if the estimator needs token log-probabilities the samples lack; its
     *                                      usage counts the samples' calls as well as the estimator's
     */
    @Override
    public ChatResponse doChat(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        String question = UserMessage.findLast(request.messages()).filter(UserMessage::hasSingleText)
                .map(UserMessage::singleText)
                .orElseThrow(() -> new IllegalArgumentException("the request has no user message with text"));
        long start = System.nanoTime();
        CallScope scope = gateway.session();
        List<CallResult> results = scope.callAll(java.util.Collections.nCopies(samples, request));
        List<ChatResponse> responses = new ArrayList<>();
        CallResult lastFailure = null;
        for (int i = 0; i < results.size(); i++) {
            CallResult result = results.get(i);
            if (result.ok()) {
                responses.add(result.response().orElseThrow());
            } else {
                LOG.warn("sample {} of {} failed: {}", i + 1, samples, result.message());
                lastFailure = result;
            }
        }
        if (responses.isEmpty()) {
            // The usage it carries is the whole request's (every sample's calls), not the last call's alone.
            lastFailure.orThrow(scope.usage().withWallTime(ChatCalls.since(start)));
        }
        Usage usage = scope.usage().withSamples(responses.size());
        List<ReasoningChain> chains = responses.stream()
                .map(response -> ReasoningChain.of(ChatCalls.text(response), "delegate")).toList();
        // An estimator that refuses counts its own calls only; the samples it was given were paid for here.
        ConfidenceEstimate estimate = Sampled.withFailedSamples(SpentBefore.addedToRefusal(
                usage.withWallTime(ChatCalls.since(start)), () -> estimator.estimate(question, chains)),
                samples - responses.size(), samples);
        double calibrated = calibrator == null ? estimate.confidence()
                : calibrator.calibrate(estimate.confidence());
        ChatResponse chosen = chosen(responses, estimate.answer());
        RefusalPolicy.Decision decision = policy.decide(estimate.withConfidence(calibrated),
                ChatCalls.text(chosen));
        usage = usage.plus(estimate.usage()).withWallTime(ChatCalls.since(start));

        String text = decision.text();
        if (appendConfidence) {
            text += String.format(Locale.ROOT, "%n%nConfidence: %.2f. %s", calibrated, estimate.rationale());
        }
        Map<String, Object> attributes = new LinkedHashMap<>(chosen.aiMessage().attributes());
        attributes.put("confidence", calibrated);
        attributes.put("raw_confidence", estimate.confidence());
        attributes.put("rationale", estimate.rationale());
        attributes.put("refused", decision.refused());
        ConfidenceChatResponseMetadata metadata = ConfidenceChatResponseMetadata.builder()
                .id(chosen.id()).modelName(chosen.modelName()).finishReason(chosen.finishReason())
                .tokenUsage(totalTokens(responses)).estimate(estimate).calibratedConfidence(calibrated)
                .refused(decision.refused()).threshold(policy.threshold()).usage(usage).build();
        return ChatResponse.builder().aiMessage(AiMessage.builder().text(text).attributes(attributes).build())
                .metadata(metadata).build();
    }

    private ChatResponse chosen(List<ChatResponse> responses, Optional<String> answer) {
        if (answer.isPresent()) {
            for (ChatResponse response : responses) {
                Optional<String> own = extractor.extract(ChatCalls.text(response));
                if (own.isPresent() && extractor.equivalent(own.get(), answer.get())) {
                    return response;
                }
            }
        }
        return responses.get(0);
    }

    private static TokenUsage totalTokens(List<ChatResponse> responses) {
        TokenUsage total = null;
        for (ChatResponse response : responses) {
            total = TokenUsage.sum(total, response.tokenUsage());
        }
        return total;
    }

    /** Builds {@link ConfidenceGatedChatModel}. Not thread-safe. */
    public static final class Builder {
        private ChatModel delegate;
        private ModelGateway gateway;
        private ConfidenceEstimator estimator = SamplingConsistency.of(AnswerExtractors.numeric());
        private Calibrator calibrator;
        private double threshold = 0.5;
        private String refusal = RefusalPolicy.I_DONT_KNOW;
        private AnswerExtractor extractor = AnswerExtractors.numeric();
        private int samples = 5;
        private boolean appendConfidence;

        private Builder() {
        }

        /** The model that answers (this or {@link #gateway} is required). */
        public Builder delegate(ChatModel delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
            return this;
        }

        /**
         * The gateway the delegate is called through (default: a gateway over {@link #delegate} with its default
         * limits); its concurrency bounds the samples in flight, its budget and deadline each request.
         */
        public Builder gateway(ModelGateway gateway) {
            this.gateway = Objects.requireNonNull(gateway, "gateway");
            return this;
        }

        /** Scores the sampled responses; sampling consistency over numeric answers by default. */
        public Builder estimator(ConfidenceEstimator estimator) {
            this.estimator = Objects.requireNonNull(estimator, "estimator");
            return this;
        }

        /** Maps the raw score to a probability before the threshold; none by default. */
        public Builder calibrator(Calibrator calibrator) {
            this.calibrator = Objects.requireNonNull(calibrator, "calibrator");
            return this;
        }

        /**
         * Refuse below this (calibrated) confidence; 0.5 by default, 0 never refuses.
         *
         * @throws IllegalArgumentException if outside [0, 1]
         */
        public Builder threshold(double threshold) {
            if (!(threshold >= 0 && threshold <= 1)) {
                throw new IllegalArgumentException("threshold must be in [0, 1], was " + threshold);
            }
            this.threshold = threshold;
            return this;
        }

        /** What is said instead of a refused answer; "I don't know." by default. */
        public Builder refusal(String refusal) {
            this.refusal = Objects.requireNonNull(refusal, "refusal");
            return this;
        }

        /** Finds the response that reaches the estimate's answer; numeric by default. */
        public Builder extractor(AnswerExtractor extractor) {
            this.extractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /**
         * Responses drawn per request; 5 by default. At least 2 with a {@link SamplingConsistency} estimator (the
         * default), whose agreement over one response is always 1.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder samples(int samples) {
            this.samples = Arguments.atLeast(samples, 1, "samples");
            return this;
        }

        /** Whether to append "Confidence: 0.83. rationale" to the text too; false by default. */
        public Builder appendConfidence(boolean appendConfidence) {
            this.appendConfidence = appendConfidence;
            return this;
        }

        /**
         * The gated model.
         *
         * @throws IllegalStateException if neither a delegate nor a gateway was set, or both were and the gateway
         *                               calls another model, or the estimator is {@link SamplingConsistency} and
         *                               {@link #samples} 1: such a model would answer everything at confidence 1
         */
        public ConfidenceGatedChatModel build() {
            if (delegate == null && gateway == null) {
                throw new IllegalStateException("ConfidenceGatedChatModel needs a delegate (or gateway)");
            }
            if (samples < 2 && estimator instanceof SamplingConsistency) {
                throw new IllegalStateException("sampling consistency over 1 sample is always 1, so nothing would be "
                        + "refused: set samples to 2 or more, or an estimator that reads one response");
            }
            ChatCalls.requireSameModel(delegate, gateway);
            return new ConfidenceGatedChatModel(this);
        }
    }
}
