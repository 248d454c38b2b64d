package dev.reasoningsdk.examples.cli;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import java.time.Duration;

/**
 * A {@link ChatModel} that takes a fixed time to answer and always answers the same, for benchmarks that measure
 * what surrounds the model (parallelism, overhead) rather than the model. Reports 4 characters per input token and
 * 8 output tokens. Thread-safe.
 */
final class FixedLatencyChatModel implements ChatModel {

    private final Duration latency;
    private final String answer;

    FixedLatencyChatModel(Duration latency, String answer) {
        this.latency = latency;
        this.answer = answer;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        try {
            Thread.sleep(latency.toMillis(), latency.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        int promptChars = request.messages().stream().mapToInt(message -> message.toString().length()).sum();
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(answer))
                .tokenUsage(new TokenUsage(Math.max(1, promptChars / 4), 8))
                .build();
    }
}
