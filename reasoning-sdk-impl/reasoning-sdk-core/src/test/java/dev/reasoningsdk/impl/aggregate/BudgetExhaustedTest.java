package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.BudgetExhaustedException;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.Aggregator;
import dev.reasoningsdk.api.prompt.PromptObjective;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import dev.reasoningsdk.impl.llm.RetryPolicy;
import dev.reasoningsdk.impl.prompt.HillClimbing;
import dev.reasoningsdk.impl.prompt.SearchSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where a budget ends before any usable result, the caller gets a BudgetExhaustedException with what was spent. */
class BudgetExhaustedTest {

    private static ScriptedChatModel failing() {
        return ScriptedChatModel.builder().fallback(request -> {
            throw new IllegalStateException("HTTP 500 from scripted model");
        }).build();
    }

    @Test
    void aVoteWhoseSamplerSpendsItsCallBudgetWithoutAChainThrowsBudgetExhausted() {
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(failing()).maxCalls(2)
                .retryPolicy(RetryPolicy.none()).build()) {
            Aggregator vote = MajorityVote.builder().extractor(AnswerExtractors.numeric()).sampler(sampler, 0.7)
                    .samples(5).build();
            Aggregator aor = AggregationOfReasoning.builder().scorer(new TaggedScorer())
                    .extractor(AnswerExtractors.numeric()).sampler(sampler, 0.7).initialSamples(5).build();

            for (Aggregator aggregator : new Aggregator[] {vote, aor}) {
                assertThatThrownBy(() -> aggregator.solve("2 + 2?")).isInstanceOf(BudgetExhaustedException.class)
                        .hasMessageContaining("budget ran out")
                        .satisfies(e -> {
                            BudgetExhaustedException exhausted = (BudgetExhaustedException) e;
                            assertThat(exhausted.usage().modelCalls()).isEqualTo(2);
                            assertThat(exhausted.usage().failedCalls()).isEqualTo(2);
                            assertThat(exhausted.isRetryable()).isTrue();
                        });
            }
        }
    }

    @Test
    void samplesThatAllFailWithinTheBudgetAreStillAPlainReasoningExceptionThatSaysWhy() {
        ScriptedChatModel model = failing();
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model)
                .retryPolicy(RetryPolicy.none()).build()) {
            Aggregator vote = MajorityVote.builder().extractor(AnswerExtractors.numeric()).sampler(sampler, 0.7)
                    .samples(3).build();
            Aggregator aor = AggregationOfReasoning.builder().scorer(new TaggedScorer())
                    .extractor(AnswerExtractors.numeric()).sampler(sampler, 0.7).initialSamples(3).maxSamples(6)
                    .build();

            for (Aggregator aggregator : new Aggregator[] {vote, aor}) {
                int callsBefore = model.calls();
                // The first failure is in the message, so a caller that catches it needs no WARN line to know why.
                assertThatThrownBy(() -> aggregator.solve("2 + 2?")).as(aggregator.name())
                        .isInstanceOf(ReasoningException.class)
                        .isNotInstanceOf(BudgetExhaustedException.class)
                        // The model's unrecognised exception is not retried, a permanent failure: AoR draws no more
                        // after its 3 first samples, which the same request would fail again (a draw after
                        // retryable failures is counted in AggregationOfReasoningTest and SolveCommandTest).
                        .hasMessageContaining(aggregator == vote ? "; 3 failures, first: "
                                : " in 3 attempts; 3 failures, first: ")
                        .hasMessageContaining("HTTP 500 from scripted model")
                        // Every sample's failed call is in what the failure says it cost.
                        .extracting(e -> ((ReasoningException) e).usage()).satisfies(usage -> {
                            assertThat(usage.modelCalls()).isEqualTo(model.calls() - callsBefore).isPositive();
                            assertThat(usage.failedCalls()).isEqualTo(usage.modelCalls());
                            assertThat(usage.samples()).isZero();
                        });
            }
        }
    }

    @Test
    void aPromptSearchWhoseWallTimeEndsBeforeTheInitialPromptIsScoredThrowsBudgetExhausted() {
        HillClimbing search = HillClimbing.builder()
                .settings(SearchSettings.builder().deadline(Duration.ofNanos(1)).build()).build();

        assertThatThrownBy(() -> search.optimize("Answer briefly.", PromptObjective.of(prompt -> 1.0)))
                .isInstanceOf(BudgetExhaustedException.class).hasMessageContaining("wall-time budget");
    }

    @Test
    void aPromptSearchWhoseInitialPromptCannotBeScoredSaysWhatTheFailedScoringCost() {
        // An objective whose model calls failed, as a technique's exception reports them.
        Usage scoring = new Usage(0, 3, 3, 30, 0, Duration.ZERO, 0, Map.of(CallFailure.SERVER_ERROR, 3));
        PromptObjective failing = prompt -> {
            throw new ReasoningException("the scoring model failed", null, true, scoring);
        };

        assertThatThrownBy(() -> HillClimbing.builder().build().optimize("Answer briefly.", failing))
                .isInstanceOf(ReasoningException.class).isNotInstanceOf(BudgetExhaustedException.class)
                .hasMessageContaining("could not be scored")
                .extracting(e -> ((ReasoningException) e).usage()).satisfies(usage -> {
                    assertThat(usage.modelCalls()).isEqualTo(3);
                    assertThat(usage.failuresByKind()).isEqualTo(Map.of(CallFailure.SERVER_ERROR, 3));
                    assertThat(usage.inputTokens()).isEqualTo(30);
                });
    }
}
