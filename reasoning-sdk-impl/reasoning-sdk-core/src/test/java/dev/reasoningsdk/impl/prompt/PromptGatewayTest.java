package dev.reasoningsdk.impl.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The prompt techniques call through the gateway: one run is one scope, bounded by the gateway's budget. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class PromptGatewayTest {

    private static final RetryPolicy NO_BACKOFF = RetryPolicy.builder().initialBackoff(Duration.ZERO)
            .maxBackoff(Duration.ZERO).build();

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

    /** A model whose first call answers {@code reply} with these tokens, and whose next three get {@code status}. */
    private static FaultyChatModel answersOnceThenFails(String reply, int inputTokens, int outputTokens, int status) {
        return FaultyChatModel.builder()
                .delegate(ScriptedChatModel.builder().fallback(r -> reply).tokenUsage(inputTokens, outputTokens)
                        .build())
                .fault(1, Fault.serverError(status)).fault(2, Fault.serverError(status))
                .fault(3, Fault.serverError(status)).build();
    }

    @Test
    void aFailedSelfDiscoverStageCarriesWhatEveryStageBeforeItAndItsOwnAttemptsCost() {
        // SELECT answers (10 prompt and 5 generated tokens), then ADAPT fails on each of its three attempts.
        FaultyChatModel model = answersOnceThenFails("1. module", 10, 5, 502);
        try (ModelGateway gateway = ModelGateway.builder().model(model).retryPolicy(NO_BACKOFF).build()) {
            assertThatThrownBy(() -> SelfDiscover.of(gateway, AnswerExtractors.numeric()).discover(List.of("2 + 2?")))
                    .isInstanceOf(ReasoningException.class).hasMessageContaining("ADAPT stage failed")
                    .extracting(e -> ((ReasoningException) e).usage()).satisfies(usage -> {
                        assertThat(usage.modelCalls()).isEqualTo(4).isEqualTo(model.calls());
                        assertThat(usage.failuresByKind()).isEqualTo(Map.of(CallFailure.SERVER_ERROR, 3));
                        assertThat(usage.samples()).isEqualTo(1);
                        assertThat(usage.inputTokens()).isEqualTo(10);
                        assertThat(usage.outputTokens()).isEqualTo(5);
                    });
        }
    }

    @Test
    void anImplementStageWithoutJsonCarriesTheThreeStagesCost() {
        ScriptedChatModel model = ScriptedChatModel.builder()
                .replies("1. module", "Adapted modules.", "no plan here").tokenUsage(7, 3).build();

        assertThatThrownBy(() -> SelfDiscover.of(model, AnswerExtractors.numeric()).discover(List.of("2 + 2?")))
                .isInstanceOf(ReasoningException.class).hasMessageContaining("returned no JSON object")
                .extracting(e -> ((ReasoningException) e).usage()).satisfies(usage -> {
                    assertThat(usage.modelCalls()).isEqualTo(3).isEqualTo(model.calls());
                    assertThat(usage.failedCalls()).isZero();
                    assertThat(usage.samples()).isEqualTo(3);
                    assertThat(usage.inputTokens()).isEqualTo(21);
                });
    }

    @Test
    void aFailedGenerationCarriesTheAdviceCallAndEveryGenerationAttempt() {
        // The advice is unusable (garbage), then the generation fails on each of its three attempts.
        FaultyChatModel model = answersOnceThenFails("no idea", 12, 2, 503);
        try (ModelGateway gateway = ModelGateway.builder().model(model).retryPolicy(NO_BACKOFF).build()) {
            assertThatThrownBy(() -> HyperparameterAwareGeneration.builder().gateway(gateway).build()
                    .generate("2 + 2?"))
                    .isInstanceOf(ReasoningException.class).hasMessageContaining("generation failed")
                    .extracting(e -> ((ReasoningException) e).usage()).satisfies(usage -> {
                        assertThat(usage.modelCalls()).isEqualTo(4).isEqualTo(model.calls());
                        assertThat(usage.failuresByKind())
                                .isEqualTo(Map.of(CallFailure.GARBAGE, 1, CallFailure.SERVER_ERROR, 3));
                        assertThat(usage.inputTokens()).isEqualTo(12);
                    });
        }
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

    @Test
    void aProviderThatRefusesSomeSuggestedSettingsAnswersWithTheTemperatureAndTopPAlone() {
        ScriptedChatModel model = ScriptedChatModel.byRule(request -> {
            if (request.parameters().topK() != null) {
                // As LangChain4j's OpenAI client refuses top-k, before sending anything.
                throw new UnsupportedFeatureException("'topK' parameter is not supported by OpenAI");
            }
            return ScriptedChatModel.userText(request).contains("decoding settings")
                    ? "{\"temperature\": 0.2, \"top_p\": 0.9, \"top_k\": 40}" : "The answer is 4.";
        });

        HyperparameterAwareGeneration.Generation generation = HyperparameterAwareGeneration.builder().model(model)
                .build().generate("2 + 2?");

        assertThat(generation.response()).isEqualTo("The answer is 4.");
        assertThat(generation.settingsFromModel()).isTrue();
        assertThat(generation.settings()).isEqualTo(new DecodingSettings(0.2, 0.9, null, null, null));
        List<ChatRequest> requests = model.requests();
        assertThat(requests).hasSize(3);
        assertThat(requests.get(2).parameters().temperature()).isEqualTo(0.2);
        assertThat(generation.usage().failedCalls(CallFailure.CLIENT_ERROR)).isEqualTo(1);
        assertThat(generation.usage().modelCalls()).isEqualTo(3);
    }

    @Test
    void aDegenerateRationaleIsNotKeptAsAnExemplar() {
        String huge = "hmm ".repeat(dev.reasoningsdk.impl.internal.ReplyWindow.MAX_CHARS) + "The answer is 4.";
        ScriptedChatModel model = ScriptedChatModel.byRule(r -> r.messages().toString().contains("one plus three")
                ? huge : "Two and two make four. The answer is 4.");

        AutomateCot.Result result = AutomateCot.builder().model(model).extractor(AnswerExtractors.numeric())
                .steps(1).samplesPerStep(2).build()
                .run(List.of(new AutomateCot.LabeledQuestion("two plus two", "4"),
                        new AutomateCot.LabeledQuestion("one plus three", "4")),
                        List.of(new AutomateCot.LabeledQuestion("three plus one", "4")));

        assertThat(result.candidates()).extracting(AutomateCot.Exemplar::question).containsExactly("two plus two");
    }
}
