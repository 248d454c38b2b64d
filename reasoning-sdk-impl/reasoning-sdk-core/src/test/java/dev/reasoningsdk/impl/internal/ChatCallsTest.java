package dev.reasoningsdk.impl.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.llm.RetryPolicy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatCallsTest {

    @Test
    void aTokenCountTheProviderLeftOutIsUnknownNotZero() {
        ChatResponse inputOnly = ChatResponse.builder().aiMessage(AiMessage.from("4"))
                .tokenUsage(new TokenUsage(12, null)).build();
        ChatResponse none = ChatResponse.builder().aiMessage(AiMessage.from("4")).build();

        assertThat(ChatCalls.inputTokens(inputOnly)).isEqualTo(12);
        assertThat(ChatCalls.outputTokens(inputOnly)).isEqualTo(Usage.UNKNOWN_TOKENS);
        assertThat(ChatCalls.inputTokens(none)).isEqualTo(Usage.UNKNOWN_TOKENS);
        assertThat(ChatCalls.outputTokens(null)).isEqualTo(Usage.UNKNOWN_TOKENS);
    }

    @Test
    void aSampledCallCountsOneSampleAndAnEmptyOrThrowingOneFailsByKind() {
        ScriptedChatModel model = ScriptedChatModel.builder().reply("The answer is 4.").reply("  ").reply("")
                .failure(new IllegalStateException("HTTP 503")).tokenUsage(7, 3).build();
        ModelGateway gateway = ModelGateway.builder().model(model).retryPolicy(RetryPolicy.none()).build();

        ChatCalls.Reply answered = ChatCalls.sample(gateway.session(), "2 + 2?");
        ChatCalls.Reply empty = ChatCalls.sample(gateway.session(), "2 + 2?");
        ChatCalls.Reply thrown = ChatCalls.sample(gateway.session(), "2 + 2?");

        assertThat(answered.ok()).isTrue();
        assertThat(answered.usage().withWallTime(Duration.ZERO)).isEqualTo(new Usage(1, 1, 0, 7, 3, Duration.ZERO,
                0, Map.of()));
        // A blank reply is garbage, retried once by the gateway: two calls, both failed, their tokens counted.
        assertThat(empty.ok()).isFalse();
        assertThat(empty.error()).startsWith("GARBAGE");
        assertThat(empty.usage().withWallTime(Duration.ZERO)).isEqualTo(new Usage(0, 2, 2, 14, 6, Duration.ZERO,
                0, Map.of(CallFailure.GARBAGE, 2)));
        // A call that threw has no response: no tokens, and the total stays known.
        assertThat(thrown.error()).contains("IllegalStateException: HTTP 503");
        assertThat(thrown.usage().withWallTime(Duration.ZERO)).isEqualTo(new Usage(0, 1, 1, 0, 0, Duration.ZERO,
                0, Map.of(CallFailure.OTHER, 1)));
    }

    @Test
    void aTechniqueCallsThroughTheGivenGatewayOrOneOverItsModel() {
        ScriptedChatModel model = ScriptedChatModel.replying("x");
        ModelGateway given = ModelGateway.of(model);
        assertThat(ChatCalls.gateway(null, given)).isSameAs(given);
        assertThat(ChatCalls.gateway(model, given)).isSameAs(given);
        assertThat(ChatCalls.gateway(model, null).model()).isSameAs(model);
        assertThatThrownBy(() -> ChatCalls.gateway(null, null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("model (or gateway) is required");
        assertThatThrownBy(() -> ChatCalls.gateway(ScriptedChatModel.replying("y"), given))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("different models");
    }
}
