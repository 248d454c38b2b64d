package dev.reasoningsdk.impl.onnx.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.impl.aggregate.LikelihoodChainScorer;
import dev.reasoningsdk.impl.confidence.TokenProbabilityConfidence;
import dev.reasoningsdk.impl.onnx.OnnxSessionFactory;
import dev.reasoningsdk.impl.retrieval.BinaryMetrics;
import dev.reasoningsdk.impl.retrieval.HeadProvenance;
import dev.reasoningsdk.impl.retrieval.HiddenStateSelfKnowledge;
import dev.reasoningsdk.impl.retrieval.LinearHead;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SDK's local-model techniques run unchanged on the qwen3-tiny-random export: AoR's likelihood scorer against
 * PyTorch's teacher-forced figures, token-probability confidence with R-Tuning's P(sure) recomputed from the
 * model's own continuation scores, and UAR's hidden-state self-knowledge head on the model's hidden states.
 */
class HuggingFaceOnnxTechniquesTest {

    private static OnnxSessionFactory factory;
    private static HuggingFaceOnnxModel model;
    /** The reference's teacher-forcing prompt: the chat template with enable_thinking false. */
    private static UnaryOperator<String> noThinking;

    @BeforeAll
    static void load() {
        factory = OnnxSessionFactory.cpu(1);
        model = HuggingFaceOnnxModel.builder().folder(Qwen3Fixture.FOLDER).sessionFactory(factory).build();
        noThinking = question -> model.formatChat(List.of(ChatMessage.user(question)), true,
                Map.of("enable_thinking", false));
    }

    @AfterAll
    static void close() {
        model.close();
        factory.close();
    }

    private static String question() {
        JsonNode forcing = Qwen3Fixture.REFERENCE.get("teacher_forcing");
        return Qwen3Fixture.renderings().stream()
                .filter(r -> r.conversation().equals(forcing.get("conversation").asText())).findFirst()
                .orElseThrow().messages().get(0).content();
    }

    @Test
    void likelihoodScorerReadsPyTorchsTeacherForcedMeans() {
        LikelihoodChainScorer scorer = LikelihoodChainScorer.builder().model(model).promptFormat(noThinking)
                .continuationFormat(UnaryOperator.identity()).build();
        JsonNode continuations = Qwen3Fixture.REFERENCE.at("/teacher_forcing/continuations");
        for (JsonNode continuation : continuations) {
            assertThat(scorer.meanLogProb(question(), continuation.get("text").asText()))
                    .isCloseTo(continuation.get("mean_logprob").asDouble(), within(1e-3));
        }
        List<ReasoningChain> chains = List.of(ReasoningChain.of(continuations.get(0).get("text").asText()),
                ReasoningChain.of(continuations.get(1).get("text").asText()));
        ChainScorer.Scores scores = scorer.scoreGlobally(question(), chains);
        assertThat(scores.failures()).isZero();
        double first = continuations.get(0).get("mean_logprob").asDouble();
        double second = continuations.get(1).get("mean_logprob").asDouble();
        assertThat(scores.scores().get(0).compareTo(scores.scores().get(1))).isEqualTo(Double.compare(first, second));
        assertThat(scores.scores().get(0)).isCloseTo(scorer.score(first), within(1e-3));
    }

    @Test
    void tokenProbabilityConfidenceAsksIfSure() {
        TokenProbabilityConfidence confidence = TokenProbabilityConfidence.builder().model(model)
                .promptFormat(noThinking).build();
        String response = Qwen3Fixture.REFERENCE.at("/teacher_forcing/continuations/0/text").asText();
        ConfidenceEstimate estimate = confidence.estimate(question(), List.of(ReasoningChain.of(response)));
        assertThat(estimate.answer()).contains("21");
        assertThat(estimate.signals()).containsEntry("p_sure_available", 1.0);
        // R-Tuning's P(sure), recomputed: the question is a new user turn of the chat template (Qwen3's drops the
        // empty think block of the past assistant turn), and " sure" and " unsure" are one token each in its
        // vocabulary.
        String context = model.formatChat(List.of(ChatMessage.user(question()), ChatMessage.of("assistant", response),
                ChatMessage.user(TokenProbabilityConfidence.SURE_QUESTION)), true, Map.of());
        assertThat(context).endsWith("<|im_start|>assistant\n" + response + "<|im_end|>\n<|im_start|>user\n"
                + TokenProbabilityConfidence.SURE_QUESTION + "<|im_end|>\n<|im_start|>assistant\n");
        float[] sure = model.continuationLogProbs(context, " sure");
        float[] unsure = model.continuationLogProbs(context, " unsure");
        assertThat(sure).hasSize(1);
        assertThat(unsure).hasSize(1);
        double expected = 1 / (1 + Math.exp(unsure[0] - sure[0]));
        assertThat(estimate.signals().get("p_sure")).isCloseTo(expected, within(1e-9));
        // The answer's one token "21" (or its digits) scored after the prompt and "Sam has ".
        float[] answer = model.continuationLogProbs(noThinking.apply(question()) + "Sam has ", "21");
        double mean = 0;
        for (float logProb : answer) {
            mean += logProb / answer.length;
        }
        assertThat(estimate.signals().get("geometric_mean_token_probability")).isCloseTo(Math.exp(mean),
                within(1e-9));
        assertThat(estimate.usage().modelCalls()).isEqualTo(4);
    }

    @Test
    void hiddenStateSelfKnowledgeReadsAHeadOnTheModelsHiddenStates() {
        int width = model.promptHiddenState(model.formatPrompt("x")).length;
        float[] mean = new float[width];
        float[] scale = new float[width];
        float[] weights = new float[width];
        for (int d = 0; d < width; d++) {
            scale[d] = 1;
            weights[d] = (d % 2 == 0 ? 1f : -1f) / width;
        }
        HeadProvenance provenance = new HeadProvenance("fixture", "00", "text", "label", 2, 1, 1, 0, 0.5, 0,
                new BinaryMetrics(1, 1, 1, 1, 1, 0.5, 0.5));
        LinearHead head = new LinearHead(CriterionKind.SELF_KNOWLEDGE, model.modelId(), mean, scale, weights, 0.25,
                provenance);
        HiddenStateSelfKnowledge criterion = HiddenStateSelfKnowledge.builder().model(model).head(head)
                .promptFormat(model::formatPrompt).build();
        List<String> questions = List.of(question(), "What is the capital of France?");
        List<CriterionResult> results = criterion.evaluateAll(questions);
        for (int i = 0; i < questions.size(); i++) {
            float[] hidden = model.promptHiddenState(model.formatPrompt(questions.get(i)));
            double logit = 0.25;
            for (int d = 0; d < width; d++) {
                logit += weights[d] * hidden[d];
            }
            assertThat(results.get(i).probability()).isCloseTo(1 / (1 + Math.exp(-logit)), within(1e-6));
        }
        assertThat(results.get(0).probability()).isNotEqualTo(results.get(1).probability());
        assertThat(criterion.evaluateAll(questions).get(0).probability()).isEqualTo(results.get(0).probability());
    }
}
