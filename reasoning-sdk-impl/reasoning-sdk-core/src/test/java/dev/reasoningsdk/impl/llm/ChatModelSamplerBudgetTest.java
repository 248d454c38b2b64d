package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The sampler's batch budget: the limits set on its builder over its gateway's, each checked by CallBudget. */
class ChatModelSamplerBudgetTest {

    @Test
    void aLimitSetOnTheSamplerKeepsTheSharedGatewaysOtherLimits() {
        ScriptedChatModel model = ScriptedChatModel.byRule(request -> "The answer is 4.");
        try (ModelGateway gateway = ModelGateway.builder().model(model).maxCalls(2).build();
             ChatModelSampler sampler = ChatModelSampler.builder().gateway(gateway).maxTokens(10_000).build()) {
            SampleBatch batch = sampler.sample("2 + 2?", 5, 0);

            assertThat(batch.samples()).hasSize(2);
            assertThat(batch.stopReason()).isEqualTo(StopReason.BUDGET_EXHAUSTED);
            assertThat(model.calls()).isEqualTo(2);
        }
    }

    @Test
    void theSamplersOwnLimitReplacesTheGatewaysAndTheLastSettingWins() {
        ScriptedChatModel model = ScriptedChatModel.byRule(request -> "The answer is 4.");
        try (ModelGateway gateway = ModelGateway.builder().model(model).maxCalls(2).build();
             ChatModelSampler sampler = ChatModelSampler.builder().gateway(gateway).maxCalls(1).maxCalls(4).build()) {
            SampleBatch batch = sampler.sample("2 + 2?", 5, 0);

            assertThat(batch.samples()).hasSize(4);
            assertThat(model.calls()).isEqualTo(4);
        }
    }

    @Test
    void badLimitsAreRefusedAtTheSetterWithCallBudgetsMessages() {
        ChatModelSampler.Builder builder = ChatModelSampler.builder();
        assertThatThrownBy(() -> builder.maxCalls(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxCalls");
        assertThatThrownBy(() -> builder.maxTokens(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxTokens");
        assertThatThrownBy(() -> builder.deadline(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deadline");
        assertThatThrownBy(() -> builder.deadline(null)).isInstanceOf(NullPointerException.class);
    }
}
