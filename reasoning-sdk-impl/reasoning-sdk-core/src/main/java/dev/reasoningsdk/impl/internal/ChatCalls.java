package dev.reasoningsdk.impl.internal;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.model.TokenLogProb;
import dev.reasoningsdk.impl.llm.CallResult;
import dev.reasoningsdk.impl.llm.CallScope;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.llm.ReasoningChatResponseMetadata;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * LangChain4j calls as techniques make them: every call goes through a {@link ModelGateway} scope, and outcomes
 * turn into {@link Usage} the same way everywhere (a token count the provider did not report is
 * {@link Usage#UNKNOWN_TOKENS}; a call that threw or returned no text is a failed call). Not API.
 */
public final class ChatCalls {

    private ChatCalls() {
    }

    /** The prompt tokens {@code response} reports, or {@link Usage#UNKNOWN_TOKENS}. */
    public static long inputTokens(ChatResponse response) {
        TokenUsage tokens = response == null ? null : response.tokenUsage();
        return tokens == null || tokens.inputTokenCount() == null ? Usage.UNKNOWN_TOKENS : tokens.inputTokenCount();
    }

    /** The generated tokens {@code response} reports, or {@link Usage#UNKNOWN_TOKENS}. */
    public static long outputTokens(ChatResponse response) {
        TokenUsage tokens = response == null ? null : response.tokenUsage();
        return tokens == null || tokens.outputTokenCount() == null ? Usage.UNKNOWN_TOKENS
                : tokens.outputTokenCount();
    }

    /**
     * The tokens {@code response} reports (each {@link Usage#UNKNOWN_TOKENS} where it reports none) as a usage of no
     * call, to add with {@link Usage#plus} to what was counted before it.
     */
    public static Usage tokens(ChatResponse response) {
        return new Usage(0, 0, 0, inputTokens(response), outputTokens(response), Duration.ZERO);
    }

    /** The response's text, or {@code ""} when it has none. */
    public static String text(ChatResponse response) {
        if (response == null || response.aiMessage() == null || response.aiMessage().text() == null) {
            return "";
        }
        return response.aiMessage().text();
    }

    /** The wall time since {@code startNanos}, a {@link System#nanoTime()} reading. */
    public static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /**
     * The gateway a technique calls through: {@code gateway} when the caller gave one, else a new gateway over
     * {@code model} with the default limits.
     *
     * @throws IllegalStateException if neither is set, or both are and the gateway calls another model
     */
    public static ModelGateway gateway(ChatModel model, ModelGateway gateway) {
        if (model == null && gateway == null) {
            throw new IllegalStateException("model (or gateway) is required");
        }
        requireSameModel(model, gateway);
        return gateway != null ? gateway : ModelGateway.of(model);
    }

    /**
     * The rule for a builder given both a model and a gateway: accepted when the gateway calls that same model (the
     * calls go through the gateway), refused when it calls another, since one setting would be silently ignored.
     * Either may be null.
     *
     * @throws IllegalStateException if both are set and the gateway calls another model
     */
    public static void requireSameModel(ChatModel model, ModelGateway gateway) {
        if (model != null && gateway != null && model != gateway.model()) {
            throw new IllegalStateException("model and gateway name different models; set one of them");
        }
    }

    /** Sends one user message whose reply is a sample (see {@link #sample(CallScope, ChatRequest)}). */
    public static Reply sample(CallScope scope, String prompt) {
        return sample(scope, ChatRequest.builder().messages(UserMessage.from(prompt)).build());
    }

    /**
     * Sends a request through {@code scope} whose reply is a sample: a call that returns usable text counts one
     * sample. A failed call (thrown, timed out, refused by the budget, or blank after its retry) is returned as a
     * failed {@link Reply}, counted in {@link Usage#failedCalls()} by kind, never thrown, so callers decide what a
     * failure means for them.
     */
    public static Reply sample(CallScope scope, ChatRequest request) {
        return reply(scope.call(request));
    }

    /**
     * The outcome of a call made through a scope ({@link CallScope#call}, {@link CallScope#callAll}) as a sample's
     * {@link Reply}: a call that returned usable text counts one sample; a failed one is a failed reply.
     */
    public static Reply reply(CallResult result) {
        Usage usage = result.usage().withSamples(result.ok() ? 1 : 0);
        return result.ok() ? new Reply(result.text(), null, usage, result.response()
                .flatMap(ReasoningChatResponseMetadata::tokenLogProbs).orElse(List.of()),
                result.response().map(response -> response.finishReason() == FinishReason.LENGTH).orElse(false))
                : new Reply(null, result.failure().orElseThrow() + ": " + result.message(), usage);
    }

    /**
     * The outcome of one call.
     *
     * @param text  the response text, null when the call failed or returned none
     * @param error why it failed, null when it succeeded
     * @param usage its cost
     * @param tokenLogProbs the response's tokens with their log-probabilities, from its
     *                      {@link ReasoningChatResponseMetadata}; empty when the model returned none
     * @param cutOff        whether the model stopped at the token limit (finish reason {@code LENGTH}), so the
     *                      text's end is cut
     */
    public record Reply(String text, String error, Usage usage, List<TokenLogProb> tokenLogProbs, boolean cutOff) {
        /** @throws NullPointerException if usage or tokenLogProbs is null */
        public Reply {
            Objects.requireNonNull(usage, "usage");
            tokenLogProbs = List.copyOf(tokenLogProbs);
        }

        /** A reply that was not cut off. */
        public Reply(String text, String error, Usage usage, List<TokenLogProb> tokenLogProbs) {
            this(text, error, usage, tokenLogProbs, false);
        }

        /** A reply without token log-probabilities, not cut off. */
        public Reply(String text, String error, Usage usage) {
            this(text, error, usage, List.of());
        }

        /** Whether the call returned text. */
        public boolean ok() {
            return text != null;
        }
    }
}
