package dev.reasoningsdk.impl.confidence;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.Usage;
import java.time.Duration;

/** Turns LangChain4j call outcomes into {@link Usage}, so every estimator counts calls and tokens the same way. */
final class ChatCalls {

    private ChatCalls() {
    }

    /** One successful call; tokens are unknown when the provider did not report them. */
    static Usage succeeded(ChatResponse response, Duration wallTime) {
        TokenUsage tokens = response == null ? null : response.tokenUsage();
        long input = tokens == null || tokens.inputTokenCount() == null ? Usage.UNKNOWN_TOKENS
                : tokens.inputTokenCount();
        long output = tokens == null || tokens.outputTokenCount() == null ? Usage.UNKNOWN_TOKENS
                : tokens.outputTokenCount();
        return new Usage(0, 1, 0, input, output, wallTime);
    }

    /** One call that failed or returned nothing usable; its tokens are unknown. */
    static Usage failed(Duration wallTime) {
        return new Usage(0, 1, 1, Usage.UNKNOWN_TOKENS, Usage.UNKNOWN_TOKENS, wallTime);
    }

    /** The response's text, or {@code ""} when it has none. */
    static String text(ChatResponse response) {
        if (response == null || response.aiMessage() == null || response.aiMessage().text() == null) {
            return "";
        }
        return response.aiMessage().text();
    }

    static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
