package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.ChainScorer;
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

/** The LLM judge and AoR under a misbehaving judge: bounded calls, the right stop reason, failures by kind. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class JudgeGatewayTest {

    private static final String QUESTION = "What is 2 + 2?";
    private static final List<ReasoningChain> SPLIT = List.of(
            ReasoningChain.of("2 + 2 = 4. The answer is 4.", "s"), ReasoningChain.of("Two and two. The answer is 4.", "s"),
            ReasoningChain.of("2 + 2 = 5. The answer is 5.", "s"), ReasoningChain.of("Add one. The answer is 5.", "s"));
    /** Retries without waiting, so a failing judge fails fast. */
    private static final RetryPolicy NO_WAIT = RetryPolicy.builder().initialBackoff(Duration.ZERO)
            .maxBackoff(Duration.ZERO).build();

    private static FaultyChatModel judgeModel(Fault fault) {
        return FaultyChatModel.builder().delegate(ScriptedChatModel.byRule(r -> "Chain 1 Total Score: 8/10"))
                .everyNth(1, fault).build();
    }

    @Test
    void aorBoundsJudgeCallsByDefaultWhenTheJudgeKeepsFailing() {
        FaultyChatModel failing = judgeModel(Fault.serverError(503));
        ModelGateway gateway = ModelGateway.builder().model(failing).retryPolicy(NO_WAIT).build();
        AggregationOfReasoning aor = AggregationOfReasoning.builder()
                .scorer(LlmChainJudge.builder().gateway(gateway).build())
                .extractor(AnswerExtractors.numeric()).build();

        AggregationResult result = aor.aggregate(QUESTION, SPLIT);

        int bound = AggregationOfReasoning.DEFAULT_JUDGE_CALLS_PER_CHAIN * SPLIT.size();
        assertThat(failing.calls()).isEqualTo(bound);
        assertThat(result.stopReason()).isEqualTo(StopReason.BUDGET_EXHAUSTED);
        assertThat(result.usage().modelCalls()).isEqualTo(bound);
        assertThat(result.usage().failedCalls(CallFailure.SERVER_ERROR)).isEqualTo(bound);
        // Failed calls without a response leave the token count known.
        assertThat(result.usage().tokensKnown()).isTrue();
        gateway.close();
    }

    @Test
    void aHangingJudgeStopsAtTheGatewaysDeadline() {
        FaultyChatModel hanging = judgeModel(Fault.hang());
        ModelGateway gateway = ModelGateway.builder().model(hanging).deadline(Duration.ofMillis(300)).build();
        AggregationOfReasoning aor = AggregationOfReasoning.builder()
                .scorer(LlmChainJudge.builder().gateway(gateway).build())
                .extractor(AnswerExtractors.numeric()).maxJudgeCalls(100).build();

        AggregationResult result = aor.aggregate(QUESTION, SPLIT);

        assertThat(result.stopReason()).isEqualTo(StopReason.BUDGET_EXHAUSTED);
        assertThat(hanging.calls()).isEqualTo(1);
        assertThat(result.usage().failuresByKind()).containsOnlyKeys(CallFailure.BUDGET_EXHAUSTED);
        assertThat(result.answer()).isPresent();
        gateway.close();
    }

    @Test
    void aJudgeWhoseRepliesTrickleInIsReleasedAtEachCallTimeout() {
        FaultyChatModel trickling = judgeModel(Fault.trickle(Duration.ofSeconds(1)));
        ModelGateway gateway = ModelGateway.builder().model(trickling).callTimeout(Duration.ofMillis(100))
                .retryPolicy(RetryPolicy.none()).build();
        LlmChainJudge judge = LlmChainJudge.builder().gateway(gateway).maxAttempts(2).build();

        ChainScorer.Scores scores = judge.scoreGlobally(QUESTION, SPLIT.subList(0, 2));

        assertThat(scores.failures()).isEqualTo(2);
        assertThat(scores.scores()).allMatch(score -> Double.isNaN(score));
        assertThat(trickling.calls()).isEqualTo(2);
        assertThat(scores.usage().failuresByKind()).containsOnlyKeys(CallFailure.TIMEOUT);
        assertThat(scores.usage().failedCalls()).isEqualTo(2);
        gateway.close();
    }

    /** Three chains answer 4, one answers 5. */
    private static final List<ReasoningChain> MAJORITY_OF_FOUR = List.of(SPLIT.get(0), SPLIT.get(1),
            ReasoningChain.of("4 ones make 4. The answer is 4.", "s"), SPLIT.get(2));

    /**
     * A judge that gives the batch of the majority's chains replies without scores (as a judge whose context the
     * batch overflows answers it) and rates the lone chain answering 5 at 3 of 10, under AoR's threshold of 6.
     */
    private static LlmChainJudge judgeFailingOnTheMajority() {
        return LlmChainJudge.builder().model(ScriptedChatModel.byRule(request -> ScriptedChatModel.userText(request)
                .contains("The answer is 5") ? "Chain 1 Total Score: 3/10" : "I cannot evaluate these chains."))
                .build();
    }

    @Test
    void aGroupTheJudgeCouldNotScoreDoesNotLoseToOneItJudgedBelowTheThreshold() {
        AggregationResult result = AggregationOfReasoning.builder().scorer(judgeFailingOnTheMajority())
                .extractor(AnswerExtractors.numeric()).build().aggregate(QUESTION, MAJORITY_OF_FOUR);

        // Before, the chain rated 3 of 10 represented its answer alone and won by a margin of 3 (MARGIN_REACHED).
        assertThat(result.answer()).contains("4");
        assertThat(result.groups()).allMatch(group -> group.representatives().isEmpty());
        assertThat(result.margin()).isZero();
        assertThat(result.stopReason()).isEqualTo(StopReason.GIVEN_CHAINS_ONLY);
    }

    @Test
    void aWeightedVoteWeighsAChainWhoseJudgeCallFailedAsTheScoredChainsOnAverage() {
        AggregationResult result = WeightedVote.builder().scorer(judgeFailingOnTheMajority())
                .extractor(AnswerExtractors.numeric()).build().aggregate(QUESTION, MAJORITY_OF_FOUR);

        // Before, the unscored chains weighed 0, as the worst score, and the chain rated 3 of 10 won, 3 to 0.
        assertThat(result.groups()).extracting(group -> group.answer() + "=" + group.score())
                .containsExactly("4=9.0", "5=3.0");
    }
}
