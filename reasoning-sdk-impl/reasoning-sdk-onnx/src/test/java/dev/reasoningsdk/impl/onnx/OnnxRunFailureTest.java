package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.ModelRunException;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.onnx.internal.TinyReasonerGraph;
import org.junit.jupiter.api.Test;

/** A run that ONNX Runtime rejects is a ModelRunException naming the model, on every path that runs a model. */
class OnnxRunFailureTest {

    /** A token id far outside the tiny reasoner's 99-token vocabulary: its embedding lookup fails in the run. */
    private static final int NO_SUCH_TOKEN = 1_000_000;

    @Test
    void aFailedForwardPassNamesTheModel() {
        OnnxModelFile shipped = OnnxModelFile.read(ModelSource.classpath(TinyReasoner.TRAINED_MODEL_RESOURCE));
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(1);
             OnnxModelSession session = factory.open(ModelSource.bytes("tiny-under-test", shipped.toBytes()))) {
            FullSequenceModel model = new FullSequenceModel(session, 99, 0);

            assertThatThrownBy(() -> model.forward(new int[][] {{1, NO_SUCH_TOKEN}}, FullSequenceModel.LOGITS))
                    .isInstanceOf(ModelRunException.class).hasMessageContaining("tiny-under-test")
                    .hasMessageContaining("forward pass");
        }
    }

    @Test
    void aFailedDecodingStepNamesTheModel() {
        OnnxModelFile withPast = TinyReasonerGraph.withPast(
                OnnxModelFile.read(ModelSource.classpath(TinyReasoner.TRAINED_MODEL_RESOURCE)));
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(1);
             OnnxModelSession session = factory.open(ModelSource.bytes("cached-under-test", withPast.toBytes()))) {
            CausalLmWithPast lm = CausalLmWithPast.builder().session(session).endTokenIds(2).contextLength(320)
                    .build();

            assertThatThrownBy(() -> lm.generate(new int[] {1, NO_SUCH_TOKEN}, 1, GenerationOptions.greedy(4),
                    ids -> "")).isInstanceOf(ModelRunException.class).hasMessageContaining("cached-under-test")
                    .hasMessageContaining("decoding step");
        }
    }
}
