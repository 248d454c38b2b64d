package dev.reasoningsdk.impl.confidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.reasoningsdk.api.BudgetExhaustedException;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.fixtures.Fault;
import dev.reasoningsdk.fixtures.FaultyChatModel;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.llm.LlmCallException;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.llm.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Confidence components calling through the gateway: bounded calls, typed failures, failures by kind. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ConfidenceGatewayTest {

    private static final RetryPolicy NO_WAIT = RetryPolicy.builder().initialBackoff(Duration.ZERO)
            .maxBackoff(Duration.ZERO).build();

    private static FaultyChatModel always(Fault fault) {
        return FaultyChatModel.builder().delegate(ScriptedChatModel.byRule(r -> "The answer is 4.\nConfidence: 8"))
                .everyNth(1, fault).build();
    }

    @Test
    void verbalizedConfidenceBoundsItsCallsAndCountsWhyTheyFailed() {
        FaultyChatModel failing = always(Fault.serverError(500));
        ModelGateway gateway = ModelGateway.builder().model(failing).retryPolicy(NO_WAIT).build();

        ConfidenceEstimate estimate = VerbalizedConfidence.builder().gateway(gateway).build().estimate("2 + 2?");

        assertThat(estimate.signals()).containsEntry("verbalized_missing", 1.0);
        // Three estimate attempts of at most three gateway attempts each.
        assertThat(failing.calls()).isEqualTo(9);
        assertThat(estimate.usage().failedCalls(CallFailure.SERVER_ERROR)).isEqualTo(9);
        assertThat(estimate.usage().tokensKnown()).isTrue();
        gateway.close();
    }

    @Test
    void verbalizedConfidenceStopsAskingOnceTheDeadlinePassed() {
        FaultyChatModel hanging = always(Fault.hang());
        ModelGateway gateway = ModelGateway.builder().model(hanging).deadline(Duration.ofSeconds(1)).build();

        ConfidenceEstimate estimate = VerbalizedConfidence.builder().gateway(gateway).build().estimate("2 + 2?");

        assertThat(estimate.signals()).containsEntry("verbalized_missing", 1.0).containsEntry("attempts", 1.0);
        assertThat(hanging.calls()).isEqualTo(1);
        assertThat(estimate.usage().failuresByKind()).containsOnlyKeys(CallFailure.BUDGET_EXHAUSTED);
        gateway.close();
    }

    @Test
    void aFailedRationaleCallFallsBackToTheDeterministicTextAndIsCounted() {
        FaultyChatModel failing = always(Fault.rateLimited(Duration.ofHours(1)));
        AnswerGroups groups = AnswerGroups.of(List.of(dev.reasoningsdk.api.ReasoningChain.of("The answer is 4."),
                dev.reasoningsdk.api.ReasoningChain.of("The answer is 5.")),
                dev.reasoningsdk.impl.llm.AnswerExtractors.numeric());

        InconsistencyRationale.Rationale rationale = InconsistencyRationale.withModel(failing).explain("2 + 2?", groups);

        assertThat(rationale.fromModel()).isFalse();
        assertThat(rationale.text()).isEqualTo(InconsistencyRationale.describe(groups));
        // A Retry-After of an hour is beyond the backoff cap: one call, not retried.
        assertThat(failing.calls()).isEqualTo(1);
        assertThat(rationale.usage().failedCalls(CallFailure.RATE_LIMITED)).isEqualTo(1);
    }

    @Test
    void theGatedModelSamplesConcurrently() {
        int samples = 5;
        CountDownLatch allInFlight = new CountDownLatch(samples);
        AtomicInteger calls = new AtomicInteger();
        ChatModel delegate = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                calls.incrementAndGet();
                allInFlight.countDown();
                try {
                    // Sampled one after another, the first call would wait here until it timed out.
                    if (!allInFlight.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the samples were not drawn concurrently");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                return ChatResponse.builder().aiMessage(AiMessage.from("The answer is 4.")).build();
            }
        };
        ConfidenceGatedChatModel gated = ConfidenceGatedChatModel.builder().delegate(delegate).samples(samples)
                .build();

        ChatResponse response = gated.chat(ChatRequest.builder()
                .messages(dev.langchain4j.data.message.UserMessage.from("2 + 2?")).build());

        ConfidenceChatResponseMetadata metadata = (ConfidenceChatResponseMetadata) response.metadata();
        assertThat(calls.get()).isEqualTo(samples);
        assertThat(metadata.usage().samples()).isEqualTo(samples);
        assertThat(metadata.usage().failedCalls()).isZero();
        assertThat(metadata.refused()).isFalse();
    }

    @Test
    void theGatedModelThrowsTheSdksTypedExceptionsNeverLangChain4jsOrANullPointer() {
        FaultyChatModel failing = always(Fault.serverError(503));
        ModelGateway gateway = ModelGateway.builder().model(failing).retryPolicy(NO_WAIT).build();
        ConfidenceGatedChatModel gated = ConfidenceGatedChatModel.builder().gateway(gateway).build();
        assertThatThrownBy(() -> gated.chat("2 + 2?")).isInstanceOf(LlmCallException.class)
                .satisfies(e -> assertThat(((LlmCallException) e).statusCode()).hasValue(503))
                // Its usage is the request's: every attempt of all five samples, not the last sample's three.
                .satisfies(e -> assertThat(((LlmCallException) e).usage().failuresByKind())
                        .isEqualTo(Map.of(CallFailure.SERVER_ERROR, 5 * 3)));
        assertThat(failing.calls()).isEqualTo(5 * 3);

        FaultyChatModel silent = always(Fault.nullResponse());
        assertThatThrownBy(() -> ConfidenceGatedChatModel.builder().delegate(silent).build().chat("2 + 2?"))
                .isInstanceOf(ReasoningException.class).isNotInstanceOf(LlmCallException.class)
                .hasMessageContaining("nothing usable")
                // Each sample's empty reply and its retry: garbage, all of them.
                .satisfies(e -> assertThat(((ReasoningException) e).usage().failuresByKind())
                        .isEqualTo(Map.of(CallFailure.GARBAGE, silent.calls())));
        assertThat(silent.calls()).isEqualTo(5 * 2);

        FaultyChatModel hangingModel = always(Fault.hang());
        ModelGateway hanging = ModelGateway.builder().model(hangingModel).deadline(Duration.ofSeconds(1)).build();
        assertThatThrownBy(() -> ConfidenceGatedChatModel.builder().gateway(hanging).build().chat("2 + 2?"))
                .isInstanceOf(BudgetExhaustedException.class)
                // Its usage is the request's: all five samples' calls, each abandoned at the deadline.
                .satisfies(e -> assertThat(((BudgetExhaustedException) e).usage().modelCalls())
                        .isEqualTo(hangingModel.calls()).isEqualTo(5))
                .satisfies(e -> assertThat(((BudgetExhaustedException) e).usage().failuresByKind())
                        .containsOnlyKeys(CallFailure.BUDGET_EXHAUSTED));
        gateway.close();
        hanging.close();
    }

    @Test
    void theGatedModelAnswersFromTheSamplesThatSucceededAndCountsTheRest() {
        ScriptedChatModel model = ScriptedChatModel.builder().failure(new InvalidRequestException("400 bad"))
                .fallback(r -> "The answer is 4.").build();

        ChatResponse response = ConfidenceGatedChatModel.builder().delegate(model).build().chat(ChatRequest.builder()
                .messages(dev.langchain4j.data.message.UserMessage.from("2 + 2?")).build());

        ConfidenceChatResponseMetadata metadata = (ConfidenceChatResponseMetadata) response.metadata();
        assertThat(metadata.usage().samples()).isEqualTo(4);
        assertThat(metadata.usage().modelCalls()).isEqualTo(5);
        assertThat(metadata.usage().failedCalls(CallFailure.CLIENT_ERROR)).isEqualTo(1);
        assertThat(response.aiMessage().text()).contains("4");
    }
}
