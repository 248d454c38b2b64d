package dev.reasoningsdk.impl.prompt;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.Usage;
import java.time.Duration;

/**
 * One chat call with its cost, for this package's model-driven optimisers. A failed or empty call is returned as a
 * failed {@link Reply} (counted in {@link Usage#failedCalls()}), never thrown, so callers decide what a failure
 * means for them.
 */
final class ChatCalls {

    private ChatCalls() {
    }

    /** Sends one user message. */
    static Reply ask(ChatModel model, String prompt) {
        return send(model, ChatRequest.builder().messages(UserMessage.from(prompt)).build());
    }

    /** Sends a prepared request. */
    static Reply send(ChatModel model, ChatRequest request) {
        long start = System.nanoTime();
        try {
            ChatResponse response = model.chat(request);
            String text = response == null || response.aiMessage() == null ? null : response.aiMessage().text();
            TokenUsage tokens = response == null ? null : response.tokenUsage();
            long input = tokens == null || tokens.inputTokenCount() == null
                    ? Usage.UNKNOWN_TOKENS : tokens.inputTokenCount();
            long output = tokens == null || tokens.outputTokenCount() == null
                    ? Usage.UNKNOWN_TOKENS : tokens.outputTokenCount();
            boolean empty = text == null || text.isBlank();
            Usage usage = new Usage(1, 1, empty ? 1 : 0, input, output, elapsed(start));
            return new Reply(empty ? null : text, empty ? "empty response" : null, usage);
        } catch (RuntimeException e) {
            Usage usage = new Usage(0, 1, 1, Usage.UNKNOWN_TOKENS, Usage.UNKNOWN_TOKENS, elapsed(start));
            return new Reply(null, e.getClass().getSimpleName() + ": " + e.getMessage(), usage);
        }
    }

    private static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /**
     * The outcome of one call.
     *
     * @param text  the response text, null when the call failed
     * @param error why it failed, null when it succeeded
     * @param usage its cost
     */
    record Reply(String text, String error, Usage usage) {
        boolean ok() {
            return text != null;
        }
    }
}
