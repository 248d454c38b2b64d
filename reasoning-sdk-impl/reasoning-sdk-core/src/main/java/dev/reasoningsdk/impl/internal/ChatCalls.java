package dev.reasoningsdk.impl.internal;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.model.TokenLogProb;
import dev.reasoningsdk.impl.llm.ReasoningChatResponseMetadata;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Turns LangChain4j call outcomes into {@link Usage}, so every technique counts calls and tokens the same way: a
 * token count the provider did not report is {@link Usage#UNKNOWN_TOKENS}, a call that threw or returned no text
 * is a failed call. Not API.
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
     * One call that returned {@code response} (null when it threw, whose tokens are then unknown).
     *
     * @param samples how many samples the call produced (0 for a judge's or an advisor's call)
     * @param failed  whether the call failed or returned nothing usable
     */
    public static Usage usage(ChatResponse response, int samples, boolean failed, Duration wallTime) {
        return new Usage(samples, 1, failed ? 1 : 0, inputTokens(response), outputTokens(response), wallTime);
    }

    /** One successful call, no sample counted; tokens are unknown when the provider did not report them. */
    public static Usage succeeded(ChatResponse response, Duration wallTime) {
        return usage(response, 0, false, wallTime);
    }

    /** One call that failed or returned nothing usable; its tokens are unknown. */
    public static Usage failed(Duration wallTime) {
        return usage(null, 0, true, wallTime);
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

    /** Sends one user message whose reply is a sample (see {@link #sample(ChatModel, ChatRequest)}). */
    public static Reply sample(ChatModel model, String prompt) {
        return sample(model, ChatRequest.builder().messages(UserMessage.from(prompt)).build());
    }

    /**
     * Sends a request whose reply is a sample: a call that returns counts one sample, even when its text is empty.
     * A failed or empty call is returned as a failed {@link Reply} (counted in {@link Usage#failedCalls()}), never
     * thrown, so callers decide what a failure means for them.
     */
    public static Reply sample(ChatModel model, ChatRequest request) {
        long start = System.nanoTime();
        try {
            ChatResponse response = model.chat(request);
            String text = text(response);
            boolean empty = text.isBlank();
            Usage usage = usage(response, 1, empty, since(start));
            return new Reply(empty ? null : text, empty ? "empty response" : null, usage,
                    ReasoningChatResponseMetadata.tokenLogProbs(response).orElse(List.of()));
        } catch (RuntimeException e) {
            return new Reply(null, e.getClass().getSimpleName() + ": " + e.getMessage(), failed(since(start)));
        }
    }

    /**
     * The outcome of one call.
     *
     * @param text  the response text, null when the call failed or returned none
     * @param error why it failed, null when it succeeded
     * @param usage its cost
     * @param tokenLogProbs the response's tokens with their log-probabilities, from its
     *                      {@link ReasoningChatResponseMetadata}; empty when the model returned none
     */
    public record Reply(String text, String error, Usage usage, List<TokenLogProb> tokenLogProbs) {
        /** @throws NullPointerException if usage or tokenLogProbs is null */
        public Reply {
            Objects.requireNonNull(usage, "usage");
            tokenLogProbs = List.copyOf(tokenLogProbs);
        }

        /** A reply without token log-probabilities. */
        public Reply(String text, String error, Usage usage) {
            this(text, error, usage, List.of());
        }

        /** Whether the call returned text. */
        public boolean ok() {
            return text != null;
        }
    }
}
