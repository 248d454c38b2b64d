package dev.reasoningsdk.impl.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.fixtures.Fault;
import dev.reasoningsdk.fixtures.FaultyChatModel;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.llm.RetryPolicy;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The prompted criterion under faults: a trickling reply, an empty one; always the fallback, never stuck. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class CriterionGatewayTest {

    @Test
    void aReplyThatTricklesInIsAbandonedAtTheCallTimeout() {
        FaultyChatModel model = FaultyChatModel.builder().delegate(ScriptedChatModel.byRule(r -> "0.9"))
                .everyNth(1, Fault.trickle(Duration.ofSeconds(2))).build();
        ModelGateway gateway = ModelGateway.builder().model(model).callTimeout(Duration.ofMillis(100))
                .retryPolicy(RetryPolicy.none()).build();
        LlmPromptedCriterion criterion = LlmPromptedCriterion.builder().gateway(gateway)
                .kind(CriterionKind.TIME).build();

        CriterionResult result = criterion.evaluate("Who is the president?");

        assertThat(result.probability()).isZero();
        assertThat(result.evidence()).contains("TIMEOUT", "fallback");
        assertThat(model.calls()).isEqualTo(1);
        assertThat(result.usage().failedCalls(CallFailure.TIMEOUT)).isEqualTo(1);
        gateway.close();
    }

    @Test
    void anEmptyReplyIsGarbageAndGivesTheFallback() {
        FaultyChatModel model = FaultyChatModel.builder().delegate(ScriptedChatModel.byRule(r -> "0.9"))
                .everyNth(1, Fault.empty()).build();
        CriterionResult result = LlmPromptedCriterion.builder().model(model).kind(CriterionKind.KNOWLEDGE).build()
                .evaluate("What is 2 + 2?");
        assertThat(result.probability()).isEqualTo(1.0);
        assertThat(result.usage().failedCalls(CallFailure.GARBAGE)).isEqualTo(2);
        assertThat(model.calls()).isEqualTo(2);

        ScriptedChatModel unparseable = ScriptedChatModel.replying("maybe");
        CriterionResult garbled = LlmPromptedCriterion.builder().model(unparseable).kind(CriterionKind.INTENT).build()
                .evaluate("Search for it");
        assertThat(garbled.evidence()).contains("unparseable");
        assertThat(garbled.usage().failedCalls(CallFailure.GARBAGE)).isEqualTo(1);
    }
}
