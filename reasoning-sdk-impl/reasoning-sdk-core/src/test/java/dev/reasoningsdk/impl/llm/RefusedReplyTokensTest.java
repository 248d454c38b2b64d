package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.api.model.SampleBatch.FailureKind;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A reply the gateway receives and refuses as unusable (blank, retried once) still cost the tokens the provider
 * billed: they are in the call's usage, in its {@link CallResult#refusedReplies()}, and in the sample or failure the
 * sampler draws from the call, every attempt's, never twice.
 */
class RefusedReplyTokensTest {

    private static final ChatRequest REQUEST = ChatRequest.builder().messages(UserMessage.from("2 + 2?")).build();

    @Test
    void theGatewayKeepsWhatEachRefusedReplyCostApartFromTheAnswer() {
        ScriptedChatModel model = ScriptedChatModel.builder().replies(" ", "\n", " ", "The answer is 4.")
                .tokenUsage(10, 7).build();
        try (ModelGateway gateway = ModelGateway.of(model)) {
            CallScope scope = gateway.session();

            CallResult refusedTwice = scope.call(REQUEST);
            CallResult answeredOnItsRetry = scope.call(REQUEST);

            assertThat(refusedTwice.failure()).contains(CallFailure.GARBAGE);
            assertThat(refusedTwice.refusedReplies()).isEqualTo(new Usage(0, 2, 2, 20, 14,
                    Duration.ZERO, 0, Map.of(CallFailure.GARBAGE, 2)));
            assertThat(refusedTwice.usage().withWallTime(Duration.ZERO))
                    .isEqualTo(refusedTwice.refusedReplies());
            assertThat(answeredOnItsRetry.ok()).isTrue();
            assertThat(answeredOnItsRetry.refusedReplies().modelCalls()).isEqualTo(1);
            assertThat(answeredOnItsRetry.refusedReplies().outputTokens()).isEqualTo(7);
            assertThat(answeredOnItsRetry.usage().outputTokens()).isEqualTo(14);
            // Nothing counted twice: the scope counts each of the four replies once.
            assertThat(scope.usage().modelCalls()).isEqualTo(4);
            assertThat(scope.usage().inputTokens()).isEqualTo(40);
            assertThat(scope.usage().outputTokens()).isEqualTo(28);
        }
    }

    @Test
    void aSamplesAndAFailuresTokensAreEveryReplyDrawnForThemAndAddUpToTheBatchs() {
        ScriptedChatModel model = ScriptedChatModel.builder().replies(" ", "\n", " ", "The answer is 4.")
                .tokenUsage(10, 7).build();
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).concurrency(1).build()) {
            SampleBatch batch = sampler.sample("2 + 2?", 2, 0);

            // Index 0: blank, and blank again on its retry. Index 1: blank, then the answer.
            assertThat(batch.failures()).singleElement().satisfies(failure -> {
                assertThat(failure.kind()).isEqualTo(FailureKind.GARBAGE);
                assertThat(failure.attempts()).isEqualTo(2);
                assertThat(failure.inputTokens()).isEqualTo(20);
                assertThat(failure.outputTokens()).isEqualTo(14);
            });
            assertThat(batch.samples()).singleElement().satisfies(sample -> {
                assertThat(sample.attempts()).isEqualTo(2);
                assertThat(sample.inputTokens()).isEqualTo(20);
                assertThat(sample.outputTokens()).isEqualTo(14);
            });
            assertThat(batch.usage().modelCalls()).isEqualTo(4);
            assertThat(batch.usage().failuresByKind()).containsExactly(entry(CallFailure.GARBAGE, 3));
            assertThat(batch.usage().inputTokens()).isEqualTo(40);
            assertThat(batch.usage().outputTokens()).isEqualTo(28);
        }
    }

    @Test
    void aRefusedReplyWithoutTokenCountsMakesTheFailuresTokensUnknown() {
        AtomicInteger replies = new AtomicInteger();
        // The first reply reports its tokens, its retry does not: what both cost is not known.
        ScriptedChatModel model = ScriptedChatModel.builder().replies("", "")
                .tokenUsage(request -> replies.getAndIncrement() == 0 ? Optional.of(new TokenUsage(10, 7))
                        : Optional.empty()).build();
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).build()) {
            SampleBatch batch = sampler.sample("2 + 2?", 1, 0);

            assertThat(batch.failures()).singleElement().satisfies(failure -> {
                assertThat(failure.kind()).isEqualTo(FailureKind.GARBAGE);
                assertThat(failure.inputTokens()).isEqualTo(Usage.UNKNOWN_TOKENS);
                assertThat(failure.outputTokens()).isEqualTo(Usage.UNKNOWN_TOKENS);
            });
            assertThat(batch.usage().tokensKnown()).isFalse();
        }
    }
}
