package dev.reasoningsdk.impl.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChatCallsTest {

    @Test
    void aTokenCountTheProviderLeftOutIsUnknownNotZero() {
        ChatResponse inputOnly = ChatResponse.builder().aiMessage(AiMessage.from("4"))
                .tokenUsage(new TokenUsage(12, null)).build();
        ChatResponse none = ChatResponse.builder().aiMessage(AiMessage.from("4")).build();

        Usage usage = ChatCalls.usage(inputOnly, 0, false, Duration.ofMillis(3));

        assertThat(usage.inputTokens()).isEqualTo(12);
        assertThat(usage.outputTokens()).isEqualTo(Usage.UNKNOWN_TOKENS);
        assertThat(ChatCalls.inputTokens(none)).isEqualTo(Usage.UNKNOWN_TOKENS);
        assertThat(ChatCalls.outputTokens(null)).isEqualTo(Usage.UNKNOWN_TOKENS);
        assertThat(ChatCalls.failed(Duration.ZERO)).isEqualTo(new Usage(0, 1, 1, Usage.UNKNOWN_TOKENS,
                Usage.UNKNOWN_TOKENS, Duration.ZERO));
    }

    @Test
    void aSampledCallCountsOneSampleAndAnEmptyOrThrowingOneFails() {
        ScriptedChatModel model = ScriptedChatModel.builder().reply("The answer is 4.").reply("  ")
                .failure(new IllegalStateException("HTTP 503")).tokenUsage(7, 3).build();

        ChatCalls.Reply answered = ChatCalls.sample(model, "2 + 2?");
        ChatCalls.Reply empty = ChatCalls.sample(model, "2 + 2?");
        ChatCalls.Reply thrown = ChatCalls.sample(model, "2 + 2?");

        assertThat(answered.ok()).isTrue();
        assertThat(answered.usage().withWallTime(Duration.ZERO)).isEqualTo(new Usage(1, 1, 0, 7, 3, Duration.ZERO));
        assertThat(empty.ok()).isFalse();
        assertThat(empty.error()).isEqualTo("empty response");
        assertThat(empty.usage().withWallTime(Duration.ZERO)).isEqualTo(new Usage(1, 1, 1, 7, 3, Duration.ZERO));
        assertThat(thrown.error()).isEqualTo("IllegalStateException: HTTP 503");
        assertThat(thrown.usage().samples()).isZero();
        assertThat(thrown.usage().failedCalls()).isEqualTo(1);
    }
}
