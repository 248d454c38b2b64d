package dev.reasoningsdk.impl.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.fixtures.Fault;
import dev.reasoningsdk.fixtures.FaultyChatModel;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.llm.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The prompt techniques call through the gateway: one run is one scope, bounded by the gateway's budget. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class PromptGatewayTest {

    @Test
    void anAutomateCotRunStaysWithinTheGatewaysCallBudget() {
        ScriptedChatModel model = ScriptedChatModel.byRule(r -> "Two and two make four. The answer is 4.");
        ModelGateway gateway = ModelGateway.builder().model(model).maxCalls(5).build();

        AutomateCot.Result result = AutomateCot.builder().gateway(gateway).extractor(AnswerExtractors.numeric())
                .steps(3).build()
                .run(List.of(new AutomateCot.LabeledQuestion("two plus two", "4"),
                        new AutomateCot.LabeledQuestion("one plus three", "4")),
                        List.of(new AutomateCot.LabeledQuestion("three plus one", "4")));

        assertThat(model.calls()).isEqualTo(5);
        assertThat(result.usage().modelCalls()).isEqualTo(5);
        gateway.close();
    }

    @Test
    void aFailedSelfDiscoverStageIsATypedFailureAfterTheGatewaysRetries() {
        FaultyChatModel model = FaultyChatModel.builder().delegate(ScriptedChatModel.byRule(r -> "1. module"))
                .everyNth(1, Fault.serverError(502)).build();
        ModelGateway gateway = ModelGateway.builder().model(model)
                .retryPolicy(RetryPolicy.builder().initialBackoff(Duration.ZERO).maxBackoff(Duration.ZERO).build())
                .build();

        assertThatThrownBy(() -> SelfDiscover.of(gateway, AnswerExtractors.numeric()).discover(List.of("2 + 2?")))
                .isInstanceOf(ReasoningException.class).hasMessageContaining("SELECT stage failed")
                .hasMessageContaining("SERVER_ERROR");
        assertThat(model.calls()).isEqualTo(RetryPolicy.DEFAULT_MAX_ATTEMPTS);
        gateway.close();
    }

    @Test
    void unusableAdviceIsCountedAsGarbageAndTheFallbackSettingsAreUsed() {
        ScriptedChatModel model = ScriptedChatModel.replying("no idea", "The answer is 4.");
        HyperparameterAwareGeneration.Generation generation = HyperparameterAwareGeneration.builder().model(model)
                .build().generate("2 + 2?");
        assertThat(generation.settingsFromModel()).isFalse();
        assertThat(generation.usage().failedCalls(CallFailure.GARBAGE)).isEqualTo(1);
        assertThat(generation.usage().modelCalls()).isEqualTo(2);
        assertThat(generation.usage().samples()).isEqualTo(2);
    }
}
