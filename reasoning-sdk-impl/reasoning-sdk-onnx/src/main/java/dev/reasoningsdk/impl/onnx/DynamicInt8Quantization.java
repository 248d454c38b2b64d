package dev.reasoningsdk.impl.onnx;

import com.google.protobuf.ByteString;
import dev.reasoningsdk.impl.onnx.internal.OnnxModelProtos;
import dev.reasoningsdk.impl.onnx.internal.proto.GraphProto;
import dev.reasoningsdk.impl.onnx.internal.proto.ModelProto;
import dev.reasoningsdk.impl.onnx.internal.proto.NodeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.OperatorSetIdProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Dynamic int8 quantization of an ONNX model's matrix multiplications, done in Java on the protobuf graph (the same
 * transform as ONNX Runtime's Python {@code quantize_dynamic}, which is not available to a Java deployment): every
 * {@code MatMul} whose right operand is a 2-D FLOAT initializer becomes ONNX Runtime's {@code
 * com.microsoft.DynamicQuantizeMatMul}, with the weights stored as int8, symmetric, one scale per output column ({@code
 * scale = max|w| / 127}, rounded to nearest, ties to even), and the activations quantized to uint8 on the fly with one
 * scale per call. Everything else (other initializers, nodes, metadata) is kept: the token embedding (a {@code Gather})
 * stays float, and so does a tied output head, whose right operand is a {@code Transpose} of the embedding rather than
 * an initializer (what {@code quantize_dynamic}'s {@code nodes_to_exclude} is used for). On a model whose greedy
 * top-two logits are close this changes greedy ids: int8 rounding moves a 32-wide random Qwen3's logits by 0.28 to
 * 1.2 (docs/local-models.md).
 *
 * <p>Why: on a CPU with VNNI instructions the int8 kernels run the tiny reasoner's prompt pass about 1.7 times as
 * fast as float32, and the final hidden states stay close to float32's (see the tests), which is what a latency
 * budget such as UAR's self-knowledge check needs. The quantized model is an approximation: use it where its own
 * figures were checked, not for decoding. The com.microsoft operator runs on ONNX Runtime's CPU provider.
 */
public final class DynamicInt8Quantization {

    /** The metadata key the quantized model carries, saying what was done. */
    public static final String METADATA_KEY = "reasoning_sdk.quantization";

    private static final String MICROSOFT_DOMAIN = "com.microsoft";
    private static final int SIGNED_MAX = 127;

    private DynamicInt8Quantization() {
    }

    /**
     * The model with its weight multiplications quantized; named {@code <name>-int8}.
     *
     * @throws IllegalArgumentException naming the model if it has no MatMul with a FLOAT weight initializer
     */
    public static OnnxModelFile quantizeWeights(OnnxModelFile model) {
        Objects.requireNonNull(model, "model");
        GraphProto graph = OnnxModelProtos.proto(model).getGraph();
        Map<String, TensorProto> initializers = new HashMap<>();
        for (TensorProto tensor : graph.getInitializerList()) {
            initializers.put(tensor.getName(), tensor);
        }
        Map<String, Integer> uses = new HashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            node.getInputList().forEach(input -> uses.merge(input, 1, Integer::sum));
        }
        GraphProto.Builder quantized = graph.toBuilder().clearNode();
        Set<String> weightsDone = new HashSet<>();
        for (NodeProto node : graph.getNodeList()) {
            TensorProto weight = node.getOpType().equals("MatMul") && node.getInputCount() == 2
                    ? initializers.get(node.getInput(1)) : null;
            if (weight == null || weight.getDataType() != TensorProto.DataType.FLOAT_VALUE
                    || weight.getDimsCount() != 2 || initializers.containsKey(node.getInput(0))) {
                quantized.addNode(node);
                continue;
            }
            String name = weight.getName();
            if (weightsDone.add(name)) {
                addQuantizedWeight(quantized, name, model.floatInitializer(name), (int) weight.getDims(0),
                        (int) weight.getDims(1));
            }
            // Bias Adds stay separate: folding them into the operator's bias input measured no faster.
            quantized.addNode(NodeProto.newBuilder().setName(node.getName() + "_int8")
                    .setOpType("DynamicQuantizeMatMul").setDomain(MICROSOFT_DOMAIN)
                    .addInput(node.getInput(0)).addInput(name + "_int8").addInput(name + "_scale")
                    .addInput(name + "_zero_point").addOutput(node.getOutput(0)).build());
            uses.merge(name, -1, Integer::sum);
        }
        if (weightsDone.isEmpty()) {
            throw new IllegalArgumentException("model " + model.name()
                    + " has no MatMul with a 2-D FLOAT weight initializer to quantize");
        }
        dropInitializers(quantized, graph, weightsDone, uses);
        ModelProto.Builder result = OnnxModelProtos.proto(model).toBuilder().setGraph(quantized);
        boolean importsMicrosoft = OnnxModelProtos.proto(model).getOpsetImportList().stream()
                .anyMatch(opset -> opset.getDomain().equals(MICROSOFT_DOMAIN));
        if (!importsMicrosoft) {
            result.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(MICROSOFT_DOMAIN).setVersion(1));
        }
        return OnnxModelProtos.of(model.name() + "-int8", result.build())
                .withMetadata(Map.of(METADATA_KEY, "DynamicQuantizeMatMul: " + weightsDone.size()
                        + " weights int8 symmetric per output column, activations uint8 per call"));
    }

    private static void addQuantizedWeight(GraphProto.Builder graph, String name, float[] values, int rows,
                                           int columns) {
        byte[] quantized = new byte[values.length];
        ByteBuffer scales = ByteBuffer.allocate(columns * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int column = 0; column < columns; column++) {
            float largest = 0;
            for (int row = 0; row < rows; row++) {
                largest = Math.max(largest, Math.abs(values[row * columns + column]));
            }
            // An all-zero column quantizes to zeros under any scale; 1 keeps the division finite.
            float scale = largest == 0 ? 1 : largest / SIGNED_MAX;
            for (int row = 0; row < rows; row++) {
                quantized[row * columns + column] = (byte) Math.rint(values[row * columns + column] / scale);
            }
            scales.putFloat(scale);
        }
        graph.addInitializer(TensorProto.newBuilder().setName(name + "_int8")
                .setDataType(TensorProto.DataType.INT8_VALUE).addDims(rows).addDims(columns)
                .setRawData(ByteString.copyFrom(quantized)));
        graph.addInitializer(TensorProto.newBuilder().setName(name + "_scale")
                .setDataType(TensorProto.DataType.FLOAT_VALUE).addDims(columns)
                .setRawData(ByteString.copyFrom(scales.array())));
        graph.addInitializer(TensorProto.newBuilder().setName(name + "_zero_point")
                .setDataType(TensorProto.DataType.INT8_VALUE).addDims(columns)
                .setRawData(ByteString.copyFrom(new byte[columns])));
    }

    /**
     * Removes the float weights no node reads any more (a weight another kind of node reads too keeps its float
     * copy), keeping the graph's order for the rest; the original initializers come first in {@code quantized}.
     */
    private static void dropInitializers(GraphProto.Builder quantized, GraphProto original,
                                         Set<String> quantizedWeights, Map<String, Integer> uses) {
        int kept = 0;
        for (TensorProto tensor : original.getInitializerList()) {
            if (quantizedWeights.contains(tensor.getName()) && uses.get(tensor.getName()) == 0) {
                quantized.removeInitializer(kept);
            } else {
                kept++;
            }
        }
    }
}
