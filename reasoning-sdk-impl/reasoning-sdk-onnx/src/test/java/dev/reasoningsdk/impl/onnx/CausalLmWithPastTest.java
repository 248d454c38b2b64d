package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.ModelLoadException;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.onnx.internal.TinyReasonerGraph;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The generic decoder-with-past runner on the tiny reasoner's graph in that layout, and what it refuses. */
class CausalLmWithPastTest {

    @Test
    void readsTheLayoutFromTheModelAndDecodes() {
        OnnxModelFile shipped = OnnxModelFile.read(ModelSource.classpath(TinyReasoner.TRAINED_MODEL_RESOURCE));
        OnnxModelFile withPast = TinyReasonerGraph.withPast(shipped);
        // The embedded folder's tokenizer for the ids; the runner is built here on the graph built here.
        try (HuggingFaceOnnxModel tokenizer = TinyReasoner.create();
             OnnxSessionFactory factory = OnnxSessionFactory.cpu(1);
             OnnxModelSession session = factory.open(ModelSource.bytes(withPast.name(), withPast.toBytes()))) {
            CausalLmWithPast lm = CausalLmWithPast.builder().session(session).endTokenIds(tokenizer.endTokenIds())
                    .contextLength(320).build();
            assertThat(List.of(lm.layers(), lm.kvHeads(), lm.headDim(), lm.vocabularySize()))
                    .containsExactly(6, 7, 32, 99);
            Generation greedy = lm.generate(tokenizer.encode(TinyReasoner.prompt(
                    "Ana starts with 7 shells. She sells 4. How many shells does she have now?")), 1,
                    GenerationOptions.greedy(64), ids -> tokenizer.decode(ids, true)).get(0);
            assertThat(greedy.text()).isEqualTo(" 7-4=3. The answer is 3.");
        }
    }

    @Test
    void refusesAModelWithoutPastInputs() {
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(1);
             OnnxModelSession session = factory.open(ModelSource.classpath(TinyReasoner.TRAINED_MODEL_RESOURCE))) {
            assertThatThrownBy(() -> CausalLmWithPast.builder().session(session).endTokenIds(2).contextLength(320)
                    .build())
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageStartingWith("model classpath:" + TinyReasoner.TRAINED_MODEL_RESOURCE
                            + " cannot run as a decoder-with-past LM: it has no input 'attention_mask' (it has [");
        }
        assertThatThrownBy(() -> CausalLmWithPast.builder().endTokenIds(2).build())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> CausalLmWithPast.builder().endTokenIds())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theGraphBuilderRefusesAModelThatIsNotATinyReasoner() {
        OnnxModelFile shipped = OnnxModelFile.read(ModelSource.classpath(TinyReasoner.TRAINED_MODEL_RESOURCE));
        OnnxModelFile withPast = TinyReasonerGraph.withPast(shipped);
        assertThatThrownBy(() -> TinyReasonerGraph.withPast(withPast))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/m/");
    }
}
