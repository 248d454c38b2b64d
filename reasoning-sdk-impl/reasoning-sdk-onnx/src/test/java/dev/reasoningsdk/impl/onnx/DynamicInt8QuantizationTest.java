package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.store.embedding.CosineSimilarity;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.onnx.internal.OnnxModelProtos;
import dev.reasoningsdk.impl.onnx.internal.proto.GraphProto;
import dev.reasoningsdk.impl.onnx.internal.proto.ModelProto;
import dev.reasoningsdk.impl.onnx.internal.proto.NodeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.OperatorSetIdProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TensorProto;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The int8 transform on the real tiny reasoner: what it rewrites, how close its weights and outputs stay. */
class DynamicInt8QuantizationTest {

    private static OnnxModelFile original;
    private static OnnxModelFile quantized;

    @BeforeAll
    static void quantize() {
        original = OnnxModelFile.read(SharedModels.tinyReasoner());
        quantized = DynamicInt8Quantization.quantizeWeights(original);
    }

    @Test
    void everyWeightMultiplicationBecomesAnInt8OperatorAndTheFloatWeightsGo() {
        Set<String> weights = OnnxModelProtos.proto(original).getGraph().getNodeList().stream()
                .filter(node -> node.getOpType().equals("MatMul") && isInitializer(original, node.getInput(1)))
                .map(node -> node.getInput(1)).collect(Collectors.toSet());
        // six layers of four projections, and the output head
        assertThat(weights).hasSize(25);

        List<NodeProto> nodes = OnnxModelProtos.proto(quantized).getGraph().getNodeList();
        assertThat(nodes.stream().filter(node -> node.getOpType().equals("DynamicQuantizeMatMul"))
                .map(node -> node.getInput(1))).hasSize(25)
                .allSatisfy(input -> assertThat(weights).contains(input.replace("_int8", "")));
        // the attention products multiply activations and stay float
        assertThat(nodes.stream().filter(node -> node.getOpType().equals("MatMul"))).hasSize(12)
                .noneMatch(node -> isInitializer(quantized, node.getInput(1)));
        assertThat(weights).noneMatch(name -> isInitializer(quantized, name));
        assertThat(OnnxModelProtos.proto(quantized).getOpsetImportList())
                .anyMatch(opset -> opset.getDomain().equals("com.microsoft"));
        assertThat(quantized.metadata()).containsKey(DynamicInt8Quantization.METADATA_KEY)
                .containsEntry("max_len", "320");
        assertThat(quantized.name()).endsWith("-int8");
        assertThat(quantized.toBytes().length).isLessThan(original.toBytes().length / 3);
    }

    @Test
    void eachInt8WeightIsWithinHalfAStepOfTheFloatWeight() {
        String name = OnnxModelProtos.proto(quantized).getGraph().getNodeList().stream()
                .filter(node -> node.getOpType().equals("DynamicQuantizeMatMul")).findFirst().orElseThrow()
                .getInput(1).replace("_int8", "");
        float[] weights = original.floatInitializer(name);
        TensorProto int8 = initializer(quantized, name + "_int8");
        float[] scales = quantized.floatInitializer(name + "_scale");
        byte[] values = int8.getRawData().toByteArray();
        int columns = (int) int8.getDims(1);
        assertThat(scales).hasSize(columns);
        assertThat(initializer(quantized, name + "_zero_point").getRawData().toByteArray()).containsOnly(0);
        for (int i = 0; i < weights.length; i++) {
            float scale = scales[i % columns];
            assertThat(Math.abs(weights[i] - values[i] * scale)).isLessThanOrEqualTo(scale / 2 * 1.0001f);
        }
        // symmetric per column: the largest magnitude of each column maps to +-127
        for (int column = 0; column < columns; column++) {
            int largest = 0;
            for (int row = column; row < values.length; row += columns) {
                largest = Math.max(largest, Math.abs(values[row]));
            }
            assertThat(largest).isEqualTo(127);
        }
    }

    @Test
    void theInt8ModelsHiddenStatesStayCloseToFloat32s() throws IOException {
        List<String> prompts = TinyReasonerTest.evalSample().stream().map(row -> row.get("prompt").asText())
                .toList();
        try (HuggingFaceOnnxModel float32 = TinyReasoner.builder().executionProvider(ExecutionProvider.CPU)
                .intraOpThreads(1).build();
             HuggingFaceOnnxModel int8 = TinyReasoner.builder().executionProvider(ExecutionProvider.CPU)
                     .int8HiddenStates(true).build()) {
            assertThat(int8.modelId()).isEqualTo(float32.modelId());
            for (String prompt : prompts) {
                float[] exact = float32.promptHiddenState(prompt);
                float[] approximate = int8.promptHiddenState(prompt);
                assertThat(approximate).isNotEqualTo(exact);
                assertThat(CosineSimilarity.between(Embedding.from(exact), Embedding.from(approximate))).as(prompt).isGreaterThan(0.99);
            }
            // generation is untouched: the greedy chain is the float model's
            JsonNode first = TinyReasonerTest.evalSample().get(0);
            assertThat(int8.generate(first.get("prompt").asText(), 1, GenerationOptions.greedy(200)).get(0).text())
                    .isEqualTo(float32.generate(first.get("prompt").asText(), 1, GenerationOptions.greedy(200))
                            .get(0).text());
        }
    }

    @Test
    void refusesAModelWithNoWeightMultiplication() {
        ModelProto addOnly = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(GraphProto.newBuilder().setName("add")
                        .addNode(NodeProto.newBuilder().setOpType("Add").addInput("x").addInput("y").addOutput("z"))
                        .addNode(NodeProto.newBuilder().setOpType("MatMul").addInput("x").addInput("y")
                                .addOutput("w")))
                .build();
        assertThatThrownBy(() -> DynamicInt8Quantization.quantizeWeights(OnnxModelProtos.of("adder", addOnly)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("adder")
                .hasMessageContaining("no MatMul");
    }

    @Test
    void aWeightAnotherNodeAlsoReadsKeepsItsFloatCopy() {
        TensorProto weight = TensorProto.newBuilder().setName("w").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(2).addDims(2).addAllFloatData(List.of(1f, -3f, 0.25f, 4f)).build();
        ModelProto shared = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(GraphProto.newBuilder().setName("shared").addInitializer(weight)
                        .addNode(NodeProto.newBuilder().setOpType("MatMul").addInput("x").addInput("w")
                                .addOutput("y"))
                        .addNode(NodeProto.newBuilder().setOpType("Add").addInput("y").addInput("w")
                                .addOutput("z")))
                .build();
        OnnxModelFile result = DynamicInt8Quantization.quantizeWeights(OnnxModelProtos.of("shared", shared));
        assertThat(result.floatInitializer("w")).containsExactly(1f, -3f, 0.25f, 4f);
        assertThat(result.floatInitializer("w_scale")).containsExactly(1f / 127, 4f / 127);
        assertThat(initializer(result, "w_int8").getRawData().toByteArray())
                .containsExactly(127, -95, 32, 127);
    }

    private static boolean isInitializer(OnnxModelFile model, String name) {
        return OnnxModelProtos.proto(model).getGraph().getInitializerList().stream()
                .anyMatch(tensor -> tensor.getName().equals(name));
    }

    private static TensorProto initializer(OnnxModelFile model, String name) {
        return OnnxModelProtos.proto(model).getGraph().getInitializerList().stream()
                .filter(tensor -> tensor.getName().equals(name)).findFirst().orElseThrow();
    }
}
