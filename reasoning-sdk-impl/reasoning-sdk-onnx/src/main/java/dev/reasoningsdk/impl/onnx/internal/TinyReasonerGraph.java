package dev.reasoningsdk.impl.onnx.internal;

import dev.reasoningsdk.impl.onnx.CausalLmWithPast;
import dev.reasoningsdk.impl.onnx.OnnxModelFile;
import dev.reasoningsdk.impl.onnx.internal.proto.AttributeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.GraphProto;
import dev.reasoningsdk.impl.onnx.internal.proto.ModelProto;
import dev.reasoningsdk.impl.onnx.internal.proto.NodeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.OperatorSetIdProto;
import dev.reasoningsdk.impl.onnx.internal.proto.StringStringEntryProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TensorProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TensorShapeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TypeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.ValueInfoProto;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the tiny reasoner's decoder-with-past graph (Hugging Face Optimum layout, see {@link CausalLmWithPast}) from
 * the weights of a tiny-reasoner ONNX file, so that decoding costs one token's work per step instead of the whole
 * sequence's. The shipped file has no cache; this writes a new graph with protobuf that computes the same function:
 * pre-LayerNorm GPT blocks (x += Attn(LN(x)); x += MLP(LN(x))), exact-erf GELU MLP, learned absolute positions
 * (read at {@code position_ids}), a final LayerNorm whose output is {@code hidden_states}, and an untied head.
 *
 * <p>Weights are found through the nodes that consume them, not by initializer number: the layer-N linear weights are
 * the right operands of {@code /m/qkv_N/MatMul}, {@code /m/proj_N/MatMul}, {@code /m/fc_N/MatMul},
 * {@code /m/fc2_N/MatMul} (no suffix for layer 0), the biases the initializer operands of the matching {@code Add},
 * LayerNorm parameters and epsilon come from the {@code LayerNormalization} nodes, the embeddings from
 * {@code /m/tok_emb/Gather} and {@code /m/pos_emb/Gather}, the head from {@code /m/head/MatMul}. The initializers are
 * copied as they are, so a model whose initializer values were replaced (a merge) gives its own cached graph.
 * The sizes (layers, heads, widths) are read from the weights and the {@code n_head} metadata.
 *
 * <p>Masking: a key is visible to a query when it is not after it (by slot, past included) and its
 * {@code attention_mask} is 1; masked scores become the lowest float rather than -inf, so a fully padded row gives
 * finite garbage instead of NaN that would leak through the cache.
 */
public final class TinyReasonerGraph {

    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    private static final int INT64 = TensorProto.DataType.INT64_VALUE;
    private static final int BOOL = TensorProto.DataType.BOOL_VALUE;

    private TinyReasonerGraph() {
    }

    /** The decoder-with-past graph for the weights in {@code onnx} (serialized tiny-reasoner model bytes). */
    public static byte[] withPast(byte[] onnx) {
        return withPast(OnnxModelFile.parse("tiny-reasoner", onnx)).toBytes();
    }

    /**
     * The decoder-with-past graph for the weights in {@code tinyReasoner}.
     *
     * @throws IllegalArgumentException naming the missing node or initializer if the model is not a tiny reasoner
     */
    public static OnnxModelFile withPast(OnnxModelFile tinyReasoner) {
        Objects.requireNonNull(tinyReasoner, "tinyReasoner");
        return OnnxModelProtos.of(tinyReasoner.name() + "-with-past", new Builder(tinyReasoner).build());
    }

    /** Accumulates the new graph; one instance per build. */
    private static final class Builder {
        private final ModelProto source;
        private final Map<String, NodeProto> nodesByName = new HashMap<>();
        private final Map<String, TensorProto> initializers = new HashMap<>();
        private final GraphProto.Builder graph = GraphProto.newBuilder().setName("tiny-reasoner-with-past");
        private final int heads;
        private final Map<List<? extends Number>, String> constants = new HashMap<>();
        private int counter;

        Builder(OnnxModelFile file) {
            this.source = OnnxModelProtos.proto(file);
            for (NodeProto node : source.getGraph().getNodeList()) {
                nodesByName.put(node.getName(), node);
            }
            for (TensorProto tensor : source.getGraph().getInitializerList()) {
                initializers.put(tensor.getName(), tensor);
            }
            String headCount = file.metadata().get("n_head");
            if (headCount == null) {
                throw new IllegalArgumentException("model " + file.name() + " has no n_head metadata");
            }
            this.heads = Integer.parseInt(headCount.trim());
        }

        ModelProto build() {
            TensorProto tokenEmbedding = weight("/m/tok_emb/Gather", 0);
            TensorProto positionEmbedding = weight("/m/pos_emb/Gather", 0);
            int width = (int) tokenEmbedding.getDims(1);
            int vocabulary = (int) tokenEmbedding.getDims(0);
            if (width % heads != 0) {
                throw new IllegalArgumentException("d_model " + width + " is not a multiple of n_head " + heads);
            }
            int headDim = width / heads;
            int layers = countLayers();

            addInput(OptimumTensorNames.INPUT_IDS, INT64, "batch", "seq");
            addInput("attention_mask", INT64, "batch", "total");
            addInput("position_ids", INT64, "batch", "seq");
            for (int layer = 0; layer < layers; layer++) {
                for (String kind : new String[] {"key", "value"}) {
                    addInput(OptimumTensorNames.pastName(layer, kind), FLOAT, "batch", heads, "past", headDim);
                }
            }

            String x = node("Add", List.of(
                    node("Gather", List.of(copy(tokenEmbedding), OptimumTensorNames.INPUT_IDS)),
                    node("Gather", List.of(copy(positionEmbedding), "position_ids"))));
            String mask = visibilityMask();
            String minimum = floatConstant(-Float.MAX_VALUE);
            String scale = floatConstant((float) (1.0 / Math.sqrt(headDim)));
            String headShape = int64Constant(new long[] {0, 0, heads, headDim});
            String modelShape = int64Constant(new long[] {0, 0, width});
            for (int layer = 0; layer < layers; layer++) {
                String suffix = suffix(layer);
                String[] parts = queryKeyValue(suffix, x, width);
                String[] byHead = new String[3];
                for (int i = 0; i < 3; i++) {
                    byHead[i] = transpose(node("Reshape", List.of(parts[i], headShape)), 0, 2, 1, 3);
                }
                String keys = OptimumTensorNames.presentName(layer, "key");
                String values = OptimumTensorNames.presentName(layer, "value");
                graph.addNode(concat(List.of(OptimumTensorNames.pastName(layer, "key"), byHead[1]), keys));
                graph.addNode(concat(List.of(OptimumTensorNames.pastName(layer, "value"), byHead[2]), values));
                addOutput(keys, FLOAT, "batch", heads, "total", headDim);
                addOutput(values, FLOAT, "batch", heads, "total", headDim);
                String scores = node("Mul", List.of(node("MatMul", List.of(byHead[0], transpose(keys, 0, 1, 3, 2))),
                        scale));
                String weights = node("Softmax", List.of(node("Where", List.of(mask, scores, minimum))),
                        intAttribute("axis", -1));
                String attended = node("Reshape", List.of(
                        transpose(node("MatMul", List.of(weights, values)), 0, 2, 1, 3), modelShape));
                x = feedForward(suffix, node("Add", List.of(x, linear("proj" + suffix, attended))));
            }
            finalNorm(x);
            graph.addNode(NodeProto.newBuilder().setOpType("MatMul").setName("head")
                    .addInput(OptimumTensorNames.HIDDEN_STATES).addInput(copy(weight("/m/head/MatMul", 1)))
                    .addOutput(OptimumTensorNames.LOGITS));
            addOutput(OptimumTensorNames.LOGITS, FLOAT, "batch", "seq", vocabulary);
            addOutput(OptimumTensorNames.HIDDEN_STATES, FLOAT, "batch", "seq", width);

            ModelProto.Builder model = ModelProto.newBuilder()
                    .setIrVersion(source.getIrVersion())
                    .setProducerName("reasoning-sdk TinyReasonerGraph")
                    .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                    .setGraph(graph)
                    .addAllMetadataProps(source.getMetadataPropsList())
                    .addMetadataProps(StringStringEntryProto.newBuilder().setKey("kv_cache")
                            .setValue("decoder-with-past (Hugging Face Optimum layout)"));
            return model.build();
        }

        /**
         * [batch, 1, seq, total] booleans: key slot j is visible to query slot i (slot past + i) when j <= past + i
         * and attention_mask[b, j] is 1.
         */
        private String visibilityMask() {
            String seq = node("Shape", List.of(OptimumTensorNames.INPUT_IDS), intAttribute("start", 1),
                    intAttribute("end", 2));
            String total = node("Shape", List.of("attention_mask"), intAttribute("start", 1), intAttribute("end", 2));
            String zero = int64Constant(new long[] {0});
            String axisZero = int64Constant(new long[] {0});
            String step = int64Constant(new long[] {1});
            String totalScalar = node("Squeeze", List.of(total, axisZero));
            String pastScalar = node("Squeeze", List.of(node("Sub", List.of(total, seq)), axisZero));
            String keySlots = node("Range", List.of(node("Squeeze", List.of(zero, axisZero)), totalScalar,
                    node("Squeeze", List.of(step, axisZero))));
            String querySlots = node("Range", List.of(pastScalar, totalScalar, node("Squeeze", List.of(step,
                    axisZero))));
            String causal = node("LessOrEqual", List.of(
                    node("Unsqueeze", List.of(keySlots, int64Constant(new long[] {0}))),
                    node("Unsqueeze", List.of(querySlots, int64Constant(new long[] {1})))));
            String keyValid = node("Unsqueeze", List.of(
                    node("Cast", List.of("attention_mask"), intAttribute("to", BOOL)),
                    int64Constant(new long[] {1, 2})));
            return node("And", List.of(causal, keyValid));
        }

        /** The layer's pre-norm and fused QKV projection, split into query, key and value [batch, seq, width]. */
        private String[] queryKeyValue(String suffix, String x, int width) {
            String qkv = linear("qkv" + suffix, layerNorm("/m/ln1" + suffix + "/LayerNormalization", x));
            NodeProto.Builder split = NodeProto.newBuilder().setOpType("Split").setName(fresh("Split"))
                    .addInput(qkv).addInput(int64Constant(new long[] {width, width, width}))
                    .addAttribute(intAttribute("axis", 2));
            String[] parts = {split.getName() + "_q", split.getName() + "_k", split.getName() + "_v"};
            for (String part : parts) {
                split.addOutput(part);
            }
            graph.addNode(split);
            return parts;
        }

        /** {@code x + fc2(gelu(fc(ln2(x))))} with the exact (erf) GELU. */
        private String feedForward(String suffix, String x) {
            String hidden = linear("fc" + suffix, layerNorm("/m/ln2" + suffix + "/LayerNormalization", x));
            String gelu = node("Mul", List.of(node("Mul", List.of(hidden, node("Add", List.of(node("Erf",
                    List.of(node("Div", List.of(hidden, floatConstant((float) Math.sqrt(2.0)))))),
                    floatConstant(1f))))), floatConstant(0.5f)));
            return node("Add", List.of(x, linear("fc2" + suffix, gelu)));
        }

        /** The final LayerNorm, whose output is {@code hidden_states}. */
        private void finalNorm(String x) {
            NodeProto norm = required("/m/ln_f/LayerNormalization");
            graph.addNode(NodeProto.newBuilder().setOpType("LayerNormalization").setName("ln_f")
                    .addInput(x).addInput(copy(weight(norm, 1))).addInput(copy(weight(norm, 2)))
                    .addOutput(OptimumTensorNames.HIDDEN_STATES).addAllAttribute(norm.getAttributeList()));
        }

        private static String suffix(int layer) {
            return layer == 0 ? "" : "_" + layer;
        }

        private int countLayers() {
            int layers = 0;
            while (nodesByName.containsKey("/m/qkv" + suffix(layers) + "/MatMul")) {
                layers++;
            }
            if (layers == 0) {
                throw new IllegalArgumentException("no /m/qkv/MatMul node: not a tiny-reasoner graph");
            }
            return layers;
        }

        private String layerNorm(String sourceNode, String input) {
            NodeProto norm = required(sourceNode);
            return node("LayerNormalization", List.of(input, copy(weight(norm, 1)), copy(weight(norm, 2))),
                    norm.getAttributeList().toArray(new AttributeProto[0]));
        }

        /** {@code input @ W + b} with W and b read through the source's {@code /m/<name>/MatMul} and {@code Add}. */
        private String linear(String name, String input) {
            String product = node("MatMul", List.of(input, copy(weight("/m/" + name + "/MatMul", 1))));
            NodeProto add = required("/m/" + name + "/Add");
            String bias = add.getInputList().stream().filter(initializers::containsKey).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("node /m/" + name + "/Add has no bias"));
            return node("Add", List.of(product, copy(initializers.get(bias))));
        }

        private TensorProto weight(String nodeName, int input) {
            return weight(required(nodeName), input);
        }

        private TensorProto weight(NodeProto node, int input) {
            String name = node.getInput(input);
            TensorProto tensor = initializers.get(name);
            if (tensor == null) {
                throw new IllegalArgumentException("input " + input + " of node " + node.getName()
                        + " is not an initializer: '" + name + "'");
            }
            return tensor;
        }

        private NodeProto required(String name) {
            NodeProto node = nodesByName.get(name);
            if (node == null) {
                throw new IllegalArgumentException("no node " + name + ": not a tiny-reasoner graph");
            }
            return node;
        }

        /** Adds the initializer to the new graph once and returns its name. */
        private String copy(TensorProto tensor) {
            if (graph.getInitializerList().stream().noneMatch(t -> t.getName().equals(tensor.getName()))) {
                graph.addInitializer(tensor);
            }
            return tensor.getName();
        }

        private String node(String op, List<String> inputs, AttributeProto... attributes) {
            String name = fresh(op);
            graph.addNode(NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs)
                    .addOutput(name + "_out").addAllAttribute(List.of(attributes)));
            return name + "_out";
        }

        private String transpose(String input, long... permutation) {
            return node("Transpose", List.of(input), AttributeProto.newBuilder().setName("perm")
                    .setType(AttributeProto.AttributeType.INTS).addAllInts(toList(permutation)).build());
        }

        private NodeProto concat(List<String> inputs, String output) {
            return NodeProto.newBuilder().setOpType("Concat").setName(fresh("Concat")).addAllInput(inputs)
                    .addOutput(output).addAttribute(intAttribute("axis", 2)).build();
        }

        /** A scalar FLOAT initializer; one per value, however many layers ask for it. */
        private String floatConstant(float value) {
            return constants.computeIfAbsent(List.of(value), key -> {
                String name = fresh("const");
                graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(FLOAT).addFloatData(value));
                return name;
            });
        }

        /** A 1-D INT64 initializer; one per distinct list of values. */
        private String int64Constant(long[] values) {
            return constants.computeIfAbsent(toList(values), key -> {
                String name = fresh("const");
                graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(INT64).addDims(values.length)
                        .addAllInt64Data(toList(values)));
                return name;
            });
        }

        private String fresh(String prefix) {
            return "/kv/" + prefix + "_" + counter++;
        }

        private void addInput(String name, int type, Object... dims) {
            graph.addInput(valueInfo(name, type, dims));
        }

        private void addOutput(String name, int type, Object... dims) {
            graph.addOutput(valueInfo(name, type, dims));
        }

        private static ValueInfoProto valueInfo(String name, int type, Object... dims) {
            TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
            for (Object dim : dims) {
                TensorShapeProto.Dimension.Builder dimension = TensorShapeProto.Dimension.newBuilder();
                if (dim instanceof Integer size) {
                    dimension.setDimValue(size);
                } else {
                    dimension.setDimParam((String) dim);
                }
                shape.addDim(dimension);
            }
            return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                    TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
        }

        private static AttributeProto intAttribute(String name, long value) {
            return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value)
                    .build();
        }

        private static List<Long> toList(long[] values) {
            return java.util.Arrays.stream(values).boxed().toList();
        }
    }
}
