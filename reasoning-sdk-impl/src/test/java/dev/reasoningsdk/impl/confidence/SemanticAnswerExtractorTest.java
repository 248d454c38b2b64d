package dev.reasoningsdk.impl.confidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.impl.llm.AnswerExtractor;
import dev.reasoningsdk.impl.onnx.SentenceEncoder;
import java.util.List;
import org.junit.jupiter.api.Test;

class SemanticAnswerExtractorTest {

    /** Puts answers mentioning Paris on one axis and everything else on another. */
    private static final SentenceEncoder ENCODER = new SentenceEncoder() {
        @Override
        public List<float[]> embedAll(List<String> sentences) {
            return sentences.stream().map(s -> s.contains("paris") ? new float[] {1, 0} : new float[] {0, 1}).toList();
        }

        @Override
        public int dimension() {
            return 2;
        }

        @Override
        public String modelId() {
            return "axis@1";
        }
    };

    @Test
    void groupsAnswersThatMeanTheSame() {
        SemanticAnswerExtractor semantic = new SemanticAnswerExtractor(AnswerExtractor.freeText(), ENCODER, 0.9);
        List<ReasoningChain> chains = List.of(ReasoningChain.of("Answer: Paris"),
                ReasoningChain.of("Answer: the city of Paris"), ReasoningChain.of("Answer: Lyon"));
        AnswerGroups groups = AnswerGroups.of(chains, semantic);
        assertThat(groups.groups()).hasSize(2);
        assertThat(groups.agreement()).isEqualTo(2 / 3.0);
        assertThat(AnswerGroups.of(chains, AnswerExtractor.freeText()).groups()).hasSize(3);
        assertThatThrownBy(() -> new SemanticAnswerExtractor(AnswerExtractor.freeText(), ENCODER, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
