package dev.reasoningsdk.impl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.api.retrieval.RetrievalDecision;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.retrieval.*;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HiddenStateSelfKnowledgeTest {

    /** A model whose hidden state is the prompt length, refusing prompts longer than 40 characters. */
    private static final class LengthModel implements CausalLanguageModel {
        @Override
        public List<Generation> generate(String prompt, int count, GenerationOptions options) {
            return List.of();
        }

        @Override
        public float[] continuationLogProbs(String prompt, String continuation) {
            return new float[0];
        }

        @Override
        public float[] promptHiddenState(String prompt) {
            if (prompt.length() > 40) {
                throw new IllegalArgumentException("prompt too long");
            }
            return new float[] {prompt.length()};
        }

        @Override
        public int contextLength() {
            return 40;
        }

        @Override
        public String modelId() {
            return "length-model@1";
        }

        @Override
        public void close() {
        }
    }

    private static LinearHead lengthHead(String modelId) {
        // p = sigmoid(-(length - 20) / 5): short prompts are "known"
        return new LinearHead(CriterionKind.SELF_KNOWLEDGE, modelId, new float[] {20}, new float[] {5},
                new float[] {-1}, 0, HeadFixtures.provenance());
    }

    @Test
    void readsTheHeadOnTheFormattedPromptAndTreatsUnreadableRequestsAsUnknown() {
        HiddenStateSelfKnowledge criterion = HiddenStateSelfKnowledge.builder().model(new LengthModel())
                .head(lengthHead("length-model@1")).build();

        List<CriterionResult> results = criterion.evaluateAll(List.of("2+2?", "x".repeat(60)));

        // "Q: 2+2?\nA:" has 10 characters
        assertThat(results.get(0).probability()).isCloseTo(1 / (1 + Math.exp(-2)), Offset.offset(1e-6));
        assertThat(results.get(1).probability()).isZero();
        assertThat(results.get(1).evidence()).contains("cannot read");
        assertThat(results.get(1).usage().failedCalls()).isEqualTo(1);
    }

    @Test
    void aRequestTheModelCannotReadIsRetrievedForWithNoDecidingCriterion() {
        // Before, the unreadable request's 0 was reported as the self-knowledge criterion's decision.
        UnifiedActiveRetrieval judge = UnifiedActiveRetrieval.builder().criterion(HiddenStateSelfKnowledge.builder()
                .model(new LengthModel()).head(lengthHead("length-model@1")).build()).build();

        List<RetrievalDecision> decisions = judge.judgeAll(List.of("2+2?", "x".repeat(60)));

        assertThat(decisions.get(0).decidedBy()).contains(CriterionKind.SELF_KNOWLEDGE);
        assertThat(decisions.get(0).retrieve()).isFalse();
        assertThat(decisions.get(1).decidedBy()).isEmpty();
        assertThat(decisions.get(1).retrieve()).isTrue();
    }

    @Test
    void refusesAHeadOfAnotherModelOrKind() {
        assertThatThrownBy(() -> HiddenStateSelfKnowledge.builder().model(new LengthModel())
                .head(lengthHead("tiny-reasoner@1")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length-model@1");
        LinearHead timeHead = HeadFixtures.constantHead(CriterionKind.TIME, new FakeEncoder("length-model@1", 1), 0);
        assertThatThrownBy(() -> HiddenStateSelfKnowledge.builder().model(new LengthModel()).head(timeHead).build())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void majorityVotingOfSampledAnswers() {
        AnswerExtractor numeric = AnswerExtractors.numeric();

        assertThat(SelfKnowledgeTrainer.majority(chains("3", "", "The answer is 4.", "4.0"), numeric)).contains("4");
        assertThat(SelfKnowledgeTrainer.majority(chains("5", "6"), numeric)).contains("5");
        assertThat(SelfKnowledgeTrainer.majority(chains(""), numeric)).isEmpty();
    }

    private static List<ReasoningChain> chains(String... texts) {
        return Arrays.stream(texts).map(ReasoningChain::of).toList();
    }

    /** Float32 states as the head was trained, and the int8 copy's that judging uses for speed. */
    @ParameterizedTest(name = "int8 hidden states: {0}")
    @ValueSource(booleans = {false, true})
    void theShippedHeadOnTheTinyReasonerRanksItsOwnEasyProblemsAboveItsHardOnes(boolean int8,
            @org.junit.jupiter.api.io.TempDir Path temp) throws IOException {
        // The sample ships inside the onnx jar; the trainer reads files.
        Path sample = temp.resolve("eval-sample.jsonl");
        try (var in = TinyReasoner.class.getResourceAsStream("/dev/reasoningsdk/models/tiny-reasoner/eval-sample.jsonl")) {
            java.nio.file.Files.copy(java.util.Objects.requireNonNull(in, "eval-sample.jsonl resource"), sample);
        }
        List<LabelledText> rows = SelfKnowledgeTrainer.readRecordedSamples(sample);
        try (HuggingFaceOnnxModel reasoner = TinyReasoner.builder().intraOpThreads(1).int8HiddenStates(int8).build()) {
            HiddenStateSelfKnowledge criterion = HiddenStateSelfKnowledge.tinyReasoner(reasoner);

            List<CriterionResult> batch = criterion.evaluateAll(rows.stream().map(LabelledText::text).toList());
            CriterionResult single = criterion.evaluate(rows.get(0).text());

            // int8 activations share one scale per batch, so padding moves a state slightly
            assertThat(batch.get(0).probability()).isCloseTo(single.probability(), Offset.offset(int8 ? 0.02 : 1e-4));
            double[] scores = batch.stream().mapToDouble(CriterionResult::probability).toArray();
            // the sample holds three problems per step count, 1 to 6 steps, in order
            double easy = Arrays.stream(scores, 0, 6).average().orElseThrow();
            double hard = Arrays.stream(scores, 12, 18).average().orElseThrow();
            assertThat(easy).isGreaterThan(hard);
            assertThat(BinaryMetrics.auroc(Arrays.stream(scores).boxed().toList(),
                    rows.stream().map(LabelledText::label).toList())).isGreaterThan(0.5);
        }
    }
}
