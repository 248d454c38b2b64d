package dev.reasoningsdk.impl.confidence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Token-probability and consistency confidence on the embedded tiny reasoner (a real model, a few passes). */
class TinyReasonerConfidenceTest {

    private static final String EASY = "Owen has 7 stones. He triples them. How many stones does Owen have?";
    private static HuggingFaceOnnxModel model;

    @BeforeAll
    static void load() {
        model = TinyReasoner.builder().intraOpThreads(1).build();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void anEasyGreedyAnswerIsConfidentAndTheSureQuestionIsScored() {
        TokenProbabilityConfidence estimator = TokenProbabilityConfidence.builder().model(model)
                .promptFormat(TinyReasoner::prompt).generationOptions(GenerationOptions.greedy(60)).build();
        ConfidenceEstimate estimate = estimator.estimate(EASY);
        assertThat(estimate.answer()).contains("21");
        assertThat(estimate.signals().get("mean_token_probability")).isGreaterThan(0.9);
        assertThat(estimate.signals().get("min_token_probability"))
                .isLessThanOrEqualTo(estimate.signals().get("mean_token_probability"));
        assertThat(estimate.signals()).containsEntry("p_sure_available", 1.0);
        assertThat(estimate.signals().get("p_sure")).isBetween(0.0, 1.0);
        assertThat(estimate.confidence()).isBetween(0.0, 1.0);
    }

    @Test
    void aWrongAnswerScoresLowerThanTheRightOne() {
        TokenProbabilityConfidence estimator = TokenProbabilityConfidence.builder().model(model)
                .promptFormat(TinyReasoner::prompt).score(TokenProbabilityConfidence.Score.MEAN).askIfSure(false)
                .build();
        double right = estimator.estimate(EASY, List.of(ReasoningChain.of(" 7*3=21. The answer is 21."))).confidence();
        double wrong = estimator.estimate(EASY, List.of(ReasoningChain.of(" 7*3=21. The answer is 24."))).confidence();
        assertThat(right).isGreaterThan(wrong);
    }

    @Test
    void theTokensTheScoringPassesReadAreCountedNotLeftUnknown() {
        String prompt = TinyReasoner.prompt(EASY);
        String response = " 7*3=21. The answer is 21.";
        String beforeAnswer = " 7*3=21. The answer is ";
        // Each pass reads its context and the continuation it scores, as the model tokenises them.
        long expected = model.promptTokenCount(prompt + beforeAnswer).getAsInt()
                + model.continuationLogProbs(prompt + beforeAnswer, "21").length
                + model.promptTokenCount(prompt).getAsInt() + model.continuationLogProbs(prompt, response).length;
        TokenProbabilityConfidence.Builder builder = TokenProbabilityConfidence.builder().model(model)
                .promptFormat(TinyReasoner::prompt).score(TokenProbabilityConfidence.Score.MEAN);

        ConfidenceEstimate withoutSure = builder.askIfSure(false).build()
                .estimate(EASY, List.of(ReasoningChain.of(response)));
        ConfidenceEstimate withSure = builder.askIfSure(true).build()
                .estimate(EASY, List.of(ReasoningChain.of(response)));

        assertThat(withoutSure.usage().inputTokens()).isEqualTo(expected);
        assertThat(withoutSure.usage().outputTokens()).isZero();
        // The two passes of R-Tuning's question read the whole conversation again.
        assertThat(withSure.usage().inputTokens()).isGreaterThan(2 * expected);
    }

    @Test
    void sampledChainsOfAnEasyProblemAgree() {
        List<Generation> generations = model.generate(TinyReasoner.prompt(EASY), 5,
                GenerationOptions.sampling(0.8, 60, 1));
        List<ReasoningChain> chains = generations.stream().map(g -> ReasoningChain.of(g.text())).toList();
        ConfidenceEstimate estimate = SamplingConsistency.of(AnswerExtractors.numeric()).estimate(EASY, chains);
        assertThat(estimate.answer()).contains("21");
        assertThat(estimate.confidence()).isGreaterThanOrEqualTo(0.8);
    }
}
