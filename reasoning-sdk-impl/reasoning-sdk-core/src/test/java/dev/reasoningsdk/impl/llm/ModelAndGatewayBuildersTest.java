package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.confidence.ConfidenceChatResponseMetadata;
import dev.reasoningsdk.impl.confidence.ConfidenceGatedChatModel;
import org.junit.jupiter.api.Test;

/**
 * A model set beside a gateway over that same model is accepted by every builder that takes both, as the judge,
 * estimators and prompt techniques accept it ({@code ChatCalls.gateway}): the calls go through the gateway. A gateway
 * over another model is refused, since one of the two settings would be silently ignored.
 */
class ModelAndGatewayBuildersTest {

    @Test
    void theSamplerTakesAModelWithAGatewayOverItAndCallsThroughTheGateway() {
        ScriptedChatModel model = ScriptedChatModel.byRule(request -> "The answer is 4.");
        try (ModelGateway gateway = ModelGateway.builder().model(model).maxCalls(2).build();
             ChatModelSampler sampler = ChatModelSampler.builder().model(model).gateway(gateway).build()) {
            SampleBatch batch = sampler.sample("2 + 2?", 5, 0);

            // The gateway's budget of 2 calls bounds the batch: its own default gateway would have made 5.
            assertThat(batch.samples()).hasSize(2);
            assertThat(batch.stopReason()).isEqualTo(StopReason.BUDGET_EXHAUSTED);
            assertThat(model.calls()).isEqualTo(2);
        }
    }

    @Test
    void theGatedModelTakesADelegateWithAGatewayOverItAndCallsThroughTheGateway() {
        ScriptedChatModel model = ScriptedChatModel.byRule(request -> "The answer is 4.");
        try (ModelGateway gateway = ModelGateway.builder().model(model).maxCalls(2).build()) {
            ConfidenceGatedChatModel gated = ConfidenceGatedChatModel.builder().delegate(model).gateway(gateway)
                    .samples(5).build();

            ConfidenceChatResponseMetadata metadata = (ConfidenceChatResponseMetadata) gated.chat(
                    dev.langchain4j.model.chat.request.ChatRequest.builder()
                            .messages(dev.langchain4j.data.message.UserMessage.from("2 + 2?")).build()).metadata();

            assertThat(metadata.usage().samples()).isEqualTo(2);
            assertThat(model.calls()).isEqualTo(2);
        }
    }

    @Test
    void aGatewayOverAnotherModelIsRefusedByBothBuilders() {
        ScriptedChatModel model = ScriptedChatModel.replying("x");
        try (ModelGateway other = ModelGateway.of(ScriptedChatModel.replying("y"))) {
            assertThatThrownBy(() -> ChatModelSampler.builder().model(model).gateway(other).build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("different models");
            assertThatThrownBy(() -> ConfidenceGatedChatModel.builder().delegate(model).gateway(other).build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("different models");
        }
        assertThatThrownBy(() -> ChatModelSampler.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("model (or gateway) is required");
        assertThatThrownBy(() -> ConfidenceGatedChatModel.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("delegate (or gateway)");
    }
}
