package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LlmChainJudgeTest {

    private static final String QUESTION = "Sam has 14 apples. He buys 7 more. How many apples does he have?";
    private static final List<ReasoningChain> TWO = List.of(ReasoningChain.of("14+7=21. The answer is 21."),
            ReasoningChain.of("14+7=22. The answer is 22."));

    @Test
    void sendsTheRubricAsSystemPromptAndTheNumberedChainsAsUserPrompt() {
        ScriptedChatModel model = ScriptedChatModel.replying("Chain 1 Total Score: 9/10\nChain 2 Total Score: 4/10");
        LlmChainJudge judge = LlmChainJudge.builder().model(model).rubric(JudgeRubric.MATH).build();

        judge.scoreLocally(QUESTION, TWO, List.of());

        assertThat(model.requests()).hasSize(1);
        assertThat(ScriptedChatModel.systemText(model.requests().get(0)))
                .hasValue(JudgeRubric.MATH.localSystemPrompt());
        assertThat(ScriptedChatModel.userText(model.requests().get(0))).isEqualTo("""
                Question:
                Sam has 14 apples. He buys 7 more. How many apples does he have?

                Chain 1:
                14+7=21. The answer is 21.

                Chain 2:
                14+7=22. The answer is 22.

                Evaluate each chain in detail against the rubric. End the evaluation of each chain with a line of \
                the form 'Chain N Total Score: X/10', where N is the chain's number and X its total score.
                """);
        assertThat(model.requests().get(0).parameters().temperature()).isEqualTo(0.0);
    }

    @Test
    void aSectionForAChainNumberTooLargeForAnIntIsIgnored() {
        ScriptedChatModel model = ScriptedChatModel.replying("Reasoning Chain 99999999999\nTotal Score: 8/10\n\n"
                + "Chain 1 Total Score: 9/10\nChain 2 Total Score: 4/10");

        assertThat(LlmChainJudge.of(model).scoreLocally(QUESTION, TWO, List.of()).scores()).containsExactly(9.0, 4.0);
    }

    @Test
    void rubricsNameTheFourCriteriaWithTheirPoints() {
        assertThat(JudgeRubric.GENERAL.localSystemPrompt()).contains("Logical consistency (0-3 points)",
                "Appropriateness of method (0-3 points)", "Completeness and clarity (0-2 points)",
                "Application of knowledge (0-2 points)", "Chain N Total Score: X/10")
                .doesNotContain("numerical calculation mistake");
        assertThat(JudgeRubric.GENERAL.globalSystemPrompt()).contains("Validity of approach (0-3 points)",
                "Consistency of steps and answer (0-3 points)", "Completeness and clarity (0-2 points)",
                "Application of knowledge (0-2 points)");
        assertThat(JudgeRubric.MATH.localSystemPrompt()).contains("a numerical calculation mistake",
                "an algebraic transformation");
        assertThat(JudgeRubric.MATH.globalSystemPrompt()).contains("negative count of indivisible things");
    }

    @Test
    void localPromptShowsBestAndWorstReferencesWithTheirScores() {
        List<ScoredChain> references = List.of(
                new ScoredChain(0, ReasoningChain.of("best chain"), "21", OptionalDouble.of(9)),
                new ScoredChain(3, ReasoningChain.of("worst chain"), "21", OptionalDouble.of(6.5)));

        String prompt = LlmChainJudge.localPrompt(QUESTION, TWO.subList(0, 1), references);

        assertThat(prompt).contains("Higher-scoring chain (Total Score: 9/10):\nbest chain\n\n"
                + "Lower-scoring chain (Total Score: 6.5/10):\nworst chain\n\n"
                + "Use them to calibrate your scores of the chains below.\n\nChain 1:\n14+7=21.");
    }

    @Test
    void globalPromptUsesTheGlobalRubric() {
        ScriptedChatModel model = ScriptedChatModel.replying("Chain 1 Total Score: 8/10 Chain 2 Total Score: 3/10");
        ChainScorer.Scores scores = LlmChainJudge.of(model).scoreGlobally(QUESTION, TWO);

        assertThat(ScriptedChatModel.systemText(model.requests().get(0)))
                .hasValue(JudgeRubric.GENERAL.globalSystemPrompt());
        assertThat(scores.scores()).containsExactly(8.0, 3.0);
    }

    @Test
    void mapsScoresByChainNumberNotByOrder() {
        ScriptedChatModel model = ScriptedChatModel.builder().tokenUsage(100, 20).reply("""
                Ranking first: **Chain 2 Total Score:** 7/10
                Chain 1 Total Score: 5/10
                """).build();
        ChainScorer.Scores scores = LlmChainJudge.of(model).scoreLocally(QUESTION, TWO, List.of());

        assertThat(scores.scores()).containsExactly(5.0, 7.0);
        assertThat(scores.failures()).isZero();
        assertThat(scores.usage().modelCalls()).isEqualTo(1);
        assertThat(scores.usage().inputTokens()).isEqualTo(100);
    }

    @Test
    void readsTheRubricsSectionFormat() {
        ScriptedChatModel model = ScriptedChatModel.replying("""
                Reasoning Chain 1:
                1. Logical Consistency: fine. Score: 3/3
                Total Score: 9/10

                Reasoning Chain 2:
                2. Appropriateness of Method: Score: 1/3
                Total Score: 4 out of 10
                """);
        assertThat(LlmChainJudge.of(model).scoreLocally(QUESTION, TWO, List.of()).scores())
                .containsExactly(9.0, 4.0);
    }

    @Test
    void fallsBackToJsonWhenAScoreIsMissing() {
        ScriptedChatModel model = ScriptedChatModel.replying("Chain 1 Total Score: 8/10\nChain 2 looks weak overall.",
                "```json\n{\"Chain 1\": 8, \"2\": 3}\n```");
        ChainScorer.Scores scores = LlmChainJudge.of(model).scoreLocally(QUESTION, TWO, List.of());

        assertThat(scores.scores()).containsExactly(8.0, 3.0);
        assertThat(model.requests()).hasSize(2);
        assertThat(model.requests().get(1).parameters().responseFormat()).isEqualTo(ResponseFormat.JSON);
        assertThat(ScriptedChatModel.userText(model.requests().get(1)))
                .startsWith("Below is an evaluation of 2 reasoning chains")
                .endsWith("Chain 1 Total Score: 8/10\nChain 2 looks weak overall.");
        assertThat(scores.usage().modelCalls()).isEqualTo(2);
        assertThat(scores.usage().failedCalls()).isZero();
    }

    @Test
    void aReasoningJudgesDraftScoresInsideItsThinkBlockAreNotItsVerdict() {
        ScriptedChatModel model = ScriptedChatModel.replying(
                "<think>Chain 2 Total Score: 9/10? No, 14+7 is not 22.</think>\nChain 1 Total Score: 8/10\n"
                        + "Chain 2 looks weak overall.",
                "{\"1\": 8, \"2\": 3}");
        ChainScorer.Scores scores = LlmChainJudge.of(model).scoreLocally(QUESTION, TWO, List.of());

        assertThat(scores.scores()).containsExactly(8.0, 3.0);
        assertThat(model.requests()).hasSize(2);
        // The evaluation it is asked to restate is its verdict: drafted scores would be restated as scores.
        assertThat(ScriptedChatModel.userText(model.requests().get(1)))
                .endsWith("Evaluation:\nChain 1 Total Score: 8/10\nChain 2 looks weak overall.")
                .doesNotContain("9/10");
    }

    @Test
    void aJudgeReplyCutOffWhileThinkingHoldsNoScoreAndNoEvaluationToRestate() {
        ScriptedChatModel model = ScriptedChatModel.replying(
                "<think>Chain 1 Total Score: 8/10\nChain 2 Total Score: 3/10, though let me check chain 2",
                "Chain 1 Total Score: 9/10\nChain 2 Total Score: 2/10");
        ChainScorer.Scores scores = LlmChainJudge.of(model).scoreLocally(QUESTION, TWO, List.of());

        // Garbage, asked again: a structured restatement of its drafts would restate them as its verdict.
        assertThat(scores.scores()).containsExactly(9.0, 2.0);
        assertThat(model.userTexts()).hasSize(2).noneMatch(text -> text.startsWith("Below is an evaluation"));
        assertThat(scores.usage().failedCalls(CallFailure.GARBAGE)).isEqualTo(1);
    }

    /**
     * A reasoning judge that put all its scoring in its thinking and wrote nothing (or only white space) after it:
     * the evaluation shown for restating would be empty, and a JSON object returned for an empty evaluation can only
     * be invented (here the one the extraction prompt gives as its example).
     */
    @Test
    void aJudgeReplyWithNothingOutsideItsThinkingIsGarbageWithoutARestatementOfAnEmptyEvaluation() {
        AtomicInteger judgeCalls = new AtomicInteger();
        ScriptedChatModel model = ScriptedChatModel.byRule(request -> ScriptedChatModel.userText(request)
                .startsWith("Below is an evaluation") ? "{\"1\": 7, \"2\": 9}"
                : judgeCalls.incrementAndGet() == 1
                ? "<think>Chain 1 Total Score: 8/10\nChain 2 Total Score: 3/10</think>\n\n \n"
                : "Chain 1 Total Score: 9/10\nChain 2 Total Score: 2/10");
        ChainScorer.Scores scores = LlmChainJudge.of(model).scoreLocally(QUESTION, TWO, List.of());

        assertThat(scores.scores()).containsExactly(9.0, 2.0);
        assertThat(model.userTexts()).noneMatch(text -> text.startsWith("Below is an evaluation"));
        assertThat(scores.usage().modelCalls()).isEqualTo(2);
        assertThat(scores.usage().failedCalls(CallFailure.GARBAGE)).isEqualTo(1);
    }

    @Test
    void retriesABoundedNumberOfTimesThenLeavesGarbageUnscored() {
        ScriptedChatModel model = ScriptedChatModel.byRule(request -> "I cannot grade this.");
        LlmChainJudge judge = LlmChainJudge.builder().model(model).maxAttempts(2).build();

        ChainScorer.Scores scores = judge.scoreLocally(QUESTION, TWO, List.of());

        assertThat(scores.scores()).allMatch(s -> s.isNaN());
        assertThat(scores.failures()).isEqualTo(2);
        assertThat(model.requests()).hasSize(4);
        assertThat(scores.usage().modelCalls()).isEqualTo(4);
        assertThat(scores.usage().failedCalls()).isEqualTo(4);
    }

    @Test
    void aRequestTheProviderRefusesIsNotSentAgain() {
        // The judge prompt over a served model's context: a 400 that the same request would get at every attempt.
        dev.reasoningsdk.fixtures.FaultyChatModel refusing = dev.reasoningsdk.fixtures.FaultyChatModel.builder()
                .delegate(ScriptedChatModel.byRule(request -> "Chain 1 Total Score: 7/10"))
                .everyNth(1, dev.reasoningsdk.fixtures.Fault.failure(new dev.langchain4j.exception.HttpException(400,
                        "context_length_exceeded"))).build();
        LlmChainJudge judge = LlmChainJudge.builder().model(refusing).maxAttempts(3).build();

        ChainScorer.Scores scores = judge.scoreLocally(QUESTION, TWO, List.of());

        assertThat(scores.scores()).allMatch(s -> s.isNaN());
        assertThat(scores.failures()).isEqualTo(2);
        assertThat(refusing.calls()).isEqualTo(1);
        assertThat(scores.usage().failuresByKind()).containsExactly(entry(CallFailure.CLIENT_ERROR, 1));
    }

    @Test
    void keepsScoresFromEarlierAttemptsAndSurvivesExceptions() {
        ScriptedChatModel model = ScriptedChatModel.builder()
                .failure(new RuntimeException("HTTP 503 from scripted model")).replies("Chain 2 Total Score: 6/10",
                        "null", "Chain 1 Total Score: 11/10", "{}", "Chain 1 Total Score: 7/10").build();
        LlmChainJudge judge = LlmChainJudge.builder().model(model).maxAttempts(4).build();

        ChainScorer.Scores scores = judge.scoreLocally(QUESTION, TWO, List.of());

        assertThat(scores.scores()).containsExactly(7.0, 6.0);
        assertThat(scores.failures()).isZero();
        assertThat(scores.usage().modelCalls()).isEqualTo(6);
        // the exception, the empty JSON restatements ("null", "{}") and the out-of-range reply
        assertThat(scores.usage().failedCalls()).isEqualTo(4);
        assertThat(scores.usage().failuresByKind()).containsExactly(entry(CallFailure.GARBAGE, 3),
                entry(CallFailure.OTHER, 1));
        // The call that threw had no response: it adds no tokens and leaves the five replies' tokens known.
        assertThat(scores.usage().inputTokens()).isEqualTo(50);
    }

    @Test
    void withoutStructuredFallbackOnlyRetries() {
        ScriptedChatModel model = ScriptedChatModel.replying("Chain 1 Total Score: 8/10", "Chain 2 Total Score: 2/10");
        LlmChainJudge judge = LlmChainJudge.builder().model(model).structuredFallback(false).build();

        assertThat(judge.scoreLocally(QUESTION, TWO, List.of()).scores()).containsExactly(8.0, 2.0);
        assertThat(model.requests()).hasSize(2);
        assertThat(model.requests()).allMatch(r -> r.parameters().responseFormat() == null);
    }

    @Test
    void builderValidates() {
        assertThatThrownBy(() -> LlmChainJudge.builder().build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> LlmChainJudge.builder().maxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LlmChainJudge.builder().temperature(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LlmChainJudge.builder().model(null)).isInstanceOf(NullPointerException.class);
    }
}
