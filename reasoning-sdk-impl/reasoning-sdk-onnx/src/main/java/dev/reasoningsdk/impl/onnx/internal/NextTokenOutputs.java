package dev.reasoningsdk.impl.onnx.internal;

import dev.reasoningsdk.impl.onnx.OnnxModelFile;
import dev.reasoningsdk.impl.onnx.internal.proto.AttributeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.GraphProto;
import dev.reasoningsdk.impl.onnx.internal.proto.ModelProto;
import dev.reasoningsdk.impl.onnx.internal.proto.NodeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.OperatorSetIdProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TensorProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TensorShapeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TypeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.ValueInfoProto;
import dev.reasoningsdk.impl.onnx.internal.proto.ValueInfoProto.Builder;
import java.util.List;
import java.util.Objects;

/**
 * Adds to a decoder graph what one decoding step needs of its {@code logits} [batch, sequence, vocabulary], computed
 * by ONNX Runtime at the last position so that Java reads a few numbers per row instead of the whole vocabulary:
 * {@value #NEXT_LOGITS} [batch, vocabulary] (the last position's logits as fp32, for samplers that need them all),
 * {@value #LOG_NORMALIZER} [batch] ({@code ReduceLogSumExp} of them: a token's log-probability is its logit minus
 * this) and {@value #TOP_LOGITS} / {@value #TOP_IDS} [batch, k] ({@code TopK}, largest first, the lower id first on
 * ties as a Java argmax), where k is the new graph input {@value #TOP_K} (an int64 [1], which every run must
 * then feed). The graph's own outputs are kept unchanged.
 */
public final class NextTokenOutputs {

    /** The last position's logits, fp32, [batch, vocabulary]. */
    public static final String NEXT_LOGITS = "sdk.next_logits";
    /** log(sum(exp(logits))) over the vocabulary at the last position, [batch]. */
    public static final String LOG_NORMALIZER = "sdk.log_normalizer";
    /** The k largest last-position logits per row, largest first, [batch, k]. */
    public static final String TOP_LOGITS = "sdk.top_logits";
    /** Their token ids (int64), [batch, k]. */
    public static final String TOP_IDS = "sdk.top_ids";
    /** The graph input that sets k: int64 of shape [1]. */
    public static final String TOP_K = "sdk.top_k";

    private static final String LOGITS = "logits";
    private static final String DEFAULT_DOMAIN = "";
    /** ReduceLogSumExp takes its axes as an input instead of an attribute from this opset on. */
    private static final int AXES_AS_INPUT_OPSET = 18;

    private NextTokenOutputs() {
    }

    /**
     * The graph with the next-token outputs added; unchanged when it already has them or has no {@code logits}
     * output.
     */
    public static OnnxModelFile add(OnnxModelFile model) {
        Objects.requireNonNull(model, "model");
        GraphProto graph = OnnxModelProtos.proto(model).getGraph();
        if (graph.getOutputList().stream().anyMatch(o -> o.getName().equals(TOP_IDS))
                || graph.getOutputList().stream().noneMatch(o -> o.getName().equals(LOGITS))) {
            return model;
        }
        int logitsType = graph.getOutputList().stream().filter(o -> o.getName().equals(LOGITS)).findFirst()
                .map(o -> o.getType().getTensorType().getElemType()).orElse(TensorProto.DataType.FLOAT_VALUE);
        GraphProto.Builder edited = graph.toBuilder();
        String logits = LOGITS;
        if (logitsType != TensorProto.DataType.FLOAT_VALUE && logitsType != 0) {
            // fp16 logits: TopK and the log-sum-exp run in fp32, as Java read them before.
            logits = "sdk.logits_fp32";
            edited.addNode(node("Cast", "sdk.cast_logits", List.of(LOGITS), List.of(logits),
                    intAttribute("to", TensorProto.DataType.FLOAT_VALUE)));
        }
        edited.addInitializer(TensorProto.newBuilder().setName("sdk.last_position")
                .setDataType(TensorProto.DataType.INT64_VALUE).addInt64Data(-1));
        edited.addNode(node("Gather", "sdk.gather_last", List.of(logits, "sdk.last_position"), List.of(NEXT_LOGITS),
                intAttribute("axis", 1)));
        NodeProto.Builder logSumExp = NodeProto.newBuilder().setOpType("ReduceLogSumExp").setName("sdk.log_sum_exp")
                .addInput(NEXT_LOGITS).addOutput(LOG_NORMALIZER).addAttribute(intAttribute("keepdims", 0));
        if (defaultOpset(OnnxModelProtos.proto(model)) >= AXES_AS_INPUT_OPSET) {
            edited.addInitializer(int64Vector("sdk.vocabulary_axis", 1));
            logSumExp.addInput("sdk.vocabulary_axis");
        } else {
            logSumExp.addAttribute(AttributeProto.newBuilder().setName("axes")
                    .setType(AttributeProto.AttributeType.INTS).addInts(1));
        }
        edited.addNode(logSumExp);
        // k is a required input: ONNX Runtime's Java API refuses to feed an initializer that stands as a default.
        edited.addInput(tensor(TOP_K, TensorProto.DataType.INT64_VALUE, 1));
        edited.addNode(node("TopK", "sdk.top_k_node", List.of(NEXT_LOGITS, TOP_K), List.of(TOP_LOGITS, TOP_IDS),
                intAttribute("axis", -1), intAttribute("largest", 1), intAttribute("sorted", 1)));
        edited.addOutput(tensor(NEXT_LOGITS, TensorProto.DataType.FLOAT_VALUE, "batch_size", "vocabulary"));
        edited.addOutput(tensor(LOG_NORMALIZER, TensorProto.DataType.FLOAT_VALUE, "batch_size"));
        edited.addOutput(tensor(TOP_LOGITS, TensorProto.DataType.FLOAT_VALUE, "batch_size", "k"));
        edited.addOutput(tensor(TOP_IDS, TensorProto.DataType.INT64_VALUE, "batch_size", "k"));
        return OnnxModelProtos.of(model.name(), OnnxModelProtos.proto(model).toBuilder().setGraph(edited).build());
    }

    private static long defaultOpset(ModelProto model) {
        return model.getOpsetImportList().stream()
                .filter(opset -> opset.getDomain().equals(DEFAULT_DOMAIN) || opset.getDomain().equals("ai.onnx"))
                .mapToLong(OperatorSetIdProto::getVersion).max().orElse(1);
    }

    private static NodeProto.Builder node(String op, String name, List<String> inputs, List<String> outputs,
                                          AttributeProto... attributes) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addAllOutput(outputs)
                .addAllAttribute(List.of(attributes));
    }

    private static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value)
                .build();
    }

    private static TensorProto int64Vector(String name, long value) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE).addDims(1)
                .addInt64Data(value).build();
    }

    /** A tensor value info; a dimension is a fixed size (Integer) or a symbolic name (String). */
    private static ValueInfoProto tensor(String name, int type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object dim : dims) {
            shape.addDim(dim instanceof Integer size ? TensorShapeProto.Dimension.newBuilder().setDimValue(size)
                    : TensorShapeProto.Dimension.newBuilder().setDimParam((String) dim));
        }
        Builder info = ValueInfoProto.newBuilder().setName(name);
        return info.setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type)
                .setShape(shape))).build();
    }
}
