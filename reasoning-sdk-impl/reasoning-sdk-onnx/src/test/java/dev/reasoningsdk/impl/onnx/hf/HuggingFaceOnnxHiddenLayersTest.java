package dev.reasoningsdk.impl.onnx.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.PromptHiddenState;
import dev.reasoningsdk.impl.onnx.OnnxModelFile;
import dev.reasoningsdk.impl.onnx.OnnxSessionFactory;
import dev.reasoningsdk.impl.onnx.internal.OnnxModelProtos;
import org.assertj.core.data.Offset;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.SortedMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Middle-layer hidden states of the qwen3-tiny-random export, chosen at load ({@code hiddenStateLayers}), against
 * figures computed here by hand from the graph's weights (the project's copy of the fixture has no
 * {@code model.safetensors}): layer 0 is the
 * prompt's last token's embedding row; layer 1, for a one-token prompt (where attention over a single key is its
 * value), is decoder layer 0 of {@code modeling_qwen3} worked by hand; the final layer is the state the output head
 * reads. {@code reference.json} has no hidden-state figures.
 */
class HuggingFaceOnnxHiddenLayersTest {

    private static final int HIDDEN = 32;
    private static final int HEAD_DIM = 8;
    private static final int HEADS = 4;
    private static final int KV_HEADS = 2;
    private static final double EPS = 1e-6;

    private static OnnxSessionFactory factory;
    private static HuggingFaceOnnxModel model;
    private static OnnxModelFile graph;

    @BeforeAll
    static void load() {
        factory = OnnxSessionFactory.cpu(1);
        model = HuggingFaceOnnxModel.builder().folder(Qwen3Fixture.FOLDER).sessionFactory(factory)
                .hiddenStateLayers(0, -2, -1).build();
        graph = ExportVariants.torchExport();
    }

    @AfterAll
    static void close() {
        model.close();
        factory.close();
    }

    @Test
    void layerZeroIsTheLastTokensEmbeddingRow() {
        for (Qwen3Fixture.Rendering rendering : Qwen3Fixture.renderings()) {
            int[] ids = rendering.inputIds();
            float[] expected = row("model.embed_tokens.weight", ids[ids.length - 1], HIDDEN);
            assertThat(model.promptHiddenState(rendering.text(), 0)).as(rendering.toString())
                    .containsExactly(expected, Offset.offset(0f));
        }
    }

    @Test
    void aStateWithItsTokensIsTheStateAndTheReferenceTokenizersCount() {
        for (Qwen3Fixture.Rendering rendering : Qwen3Fixture.renderings()) {
            for (int layer : new int[] {0, -2, -1}) {
                // The count from the pass's own encoding is transformers' (reference.json's input ids).
                assertThat(model.promptHiddenStateWithTokens(rendering.text(), layer)).as(rendering + ", " + layer)
                        .isEqualTo(new PromptHiddenState(model.promptHiddenState(rendering.text(), layer),
                                OptionalInt.of(rendering.inputIds().length)));
            }
        }
    }

    @Test
    void layerOneOfAOneTokenPromptIsDecoderLayerZeroWorkedByHand() {
        String prompt = "Sam";
        int[] ids = model.encode(prompt);
        assertThat(ids).hasSize(1);
        float[] x = row("model.embed_tokens.weight", ids[0], HIDDEN);
        double[] normed = rmsNorm(x, "model.layers.0.input_layernorm.weight");
        double[] values = multiply("model.layers.0.self_attn.v_proj.weight", normed, KV_HEADS * HEAD_DIM);
        // One key: each query head's softmax is 1 on it, so its output is its KV head's value (repeat_kv).
        double[] attention = new double[HIDDEN];
        for (int head = 0; head < HEADS; head++) {
            int kvHead = head / (HEADS / KV_HEADS);
            System.arraycopy(values, kvHead * HEAD_DIM, attention, head * HEAD_DIM, HEAD_DIM);
        }
        double[] projected = multiply("model.layers.0.self_attn.o_proj.weight", attention, HIDDEN);
        float[] residual = new float[HIDDEN];
        for (int d = 0; d < HIDDEN; d++) {
            residual[d] = (float) (x[d] + projected[d]);
        }
        double[] mlpIn = rmsNorm(residual, "model.layers.0.post_attention_layernorm.weight");
        double[] gate = multiply("model.layers.0.mlp.gate_proj.weight", mlpIn, 64);
        double[] up = multiply("model.layers.0.mlp.up_proj.weight", mlpIn, 64);
        for (int i = 0; i < gate.length; i++) {
            gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
        }
        double[] down = multiply("model.layers.0.mlp.down_proj.weight", gate, HIDDEN);
        float[] layerOne = model.promptHiddenState(prompt, 1);
        assertThat(layerOne).hasSize(HIDDEN);
        for (int d = 0; d < HIDDEN; d++) {
            assertThat((double) layerOne[d]).as("dimension " + d).isCloseTo(residual[d] + down[d], within(1e-4));
        }
    }

    @Test
    void theFinalLayerIsTheOutputHeadsInputAndTheLayersAreReadInOnePass() {
        for (Qwen3Fixture.Rendering rendering : Qwen3Fixture.renderings()) {
            SortedMap<Integer, float[]> layers = model.promptLayerHiddenStates(rendering.text());
            assertThat(layers.keySet()).containsExactly(0, 1, 2);
            float[] last = model.promptHiddenState(rendering.text());
            assertThat(layers.get(2)).containsExactly(last, Offset.offset(0f));
            assertThat(model.promptHiddenState(rendering.text(), 2)).containsExactly(last,
                    Offset.offset(0f));
            assertThat(model.promptHiddenState(rendering.text(), -2)).containsExactly(layers.get(1),
                    Offset.offset(0f));
            assertThat(Arrays.equals(layers.get(1), layers.get(0))).isFalse();
            assertThat(Arrays.equals(layers.get(1), last)).isFalse();
        }
    }

    @Test
    void withInt8HiddenStatesEveryLayerIsReadFromTheInt8Copy() {
        try (HuggingFaceOnnxModel int8 = HuggingFaceOnnxModel.builder().folder(Qwen3Fixture.FOLDER)
                .sessionFactory(factory).hiddenStateLayers(0, -2, -1).int8HiddenStates(true).build()) {
            String text = Qwen3Fixture.renderings().get(0).text();
            SortedMap<Integer, float[]> layers = int8.promptLayerHiddenStates(text);
            float[] last = int8.promptHiddenState(text);
            // One session answers every read: the final state of the one-pass read is the int8 state, not float32's.
            assertThat(layers.get(2)).containsExactly(last, Offset.offset(0f));
            assertThat(int8.promptHiddenState(text, -2)).containsExactly(layers.get(1), Offset.offset(0f));
            assertThat(Arrays.equals(last, model.promptHiddenState(text))).isFalse();
            // The embeddings are a Gather the quantizer leaves in float32.
            assertThat(layers.get(0)).containsExactly(model.promptHiddenState(text, 0), Offset.offset(0f));
        }
    }

    @Test
    void aLayerNotChosenAtLoadIsRefusedAndTheApiDefaultReadsOnlyTheFinalLayer() {
        try (HuggingFaceOnnxModel plain = HuggingFaceOnnxModel.builder().folder(Qwen3Fixture.FOLDER)
                .sessionFactory(factory).build()) {
            assertThatThrownBy(() -> plain.promptHiddenState("Sam", 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("layer 1 was not chosen at load");
            assertThat(plain.promptLayerHiddenStates("Sam").keySet()).containsExactly(2);
        }
        CausalLanguageModel spi = model;
        assertThat(spi.promptHiddenState("Sam", -1)).containsExactly(model.promptHiddenState("Sam"),
                Offset.offset(0f));
    }

    @Test
    void layersOutsideTheConfigAreRefusedAtBuild() {
        assertThatThrownBy(() -> HuggingFaceOnnxModel.builder().folder(Qwen3Fixture.FOLDER).hiddenStateLayers(3)
                .build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layer 3 is outside [-3, 2]").hasMessageContaining("num_hidden_layers 2");
        assertThatThrownBy(() -> HuggingFaceOnnxModel.builder().folder(Qwen3Fixture.FOLDER).hiddenStateLayers(-4)
                .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer -4 is outside");
        assertThatThrownBy(() -> HuggingFaceOnnxModel.builder().folder(Qwen3Fixture.FOLDER).hiddenStateLayers(1, -2)
                .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> HuggingFaceOnnxModel.builder().hiddenStateLayers())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one layer");
        assertThatThrownBy(() -> HuggingFaceOnnxModel.builder().hiddenStateLayers(1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }

    private static float[] row(String tensor, int row, int width) {
        return Arrays.copyOfRange(graph.floatInitializer(tensor), row * width, (row + 1) * width);
    }

    /** RMSNorm as modeling_qwen3 computes it: x / sqrt(mean(x^2) + eps), times the weight. */
    private static double[] rmsNorm(float[] x, String weight) {
        double meanSquare = 0;
        for (float v : x) {
            meanSquare += (double) v * v / x.length;
        }
        float[] w = row(weight, 0, x.length);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] / Math.sqrt(meanSquare + EPS) * w[i];
        }
        return out;
    }

    /** A torch Linear without bias, as the export stores it: x times the MatMul node's weight [in, out]. */
    private static double[] multiply(String module, double[] x, int outputs) {
        String node = "/" + module.replace("model.", "").replace(".weight", "").replace("layers.0.", "layers.0/")
                .replace("self_attn.", "self_attn/").replace("mlp.", "mlp/") + "/MatMul";
        float[] w = graph.floatInitializer(OnnxModelProtos.proto(graph).getGraph().getNodeList().stream()
                .filter(n -> n.getName().equals(node)).findFirst().orElseThrow(() -> new AssertionError(node))
                .getInput(1));
        assertThat(w).hasSize(x.length * outputs);
        double[] out = new double[outputs];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < outputs; o++) {
                out[o] += w[i * outputs + o] * x[i];
            }
        }
        return out;
    }
}
