package dev.reasoningsdk.impl.onnx.hf;

import com.google.protobuf.ByteString;
import dev.reasoningsdk.impl.onnx.OnnxModelFile;
import dev.reasoningsdk.impl.onnx.internal.OnnxModelProtos;
import dev.reasoningsdk.impl.onnx.internal.proto.AttributeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.GraphProto;
import dev.reasoningsdk.impl.onnx.internal.proto.ModelProto;
import dev.reasoningsdk.impl.onnx.internal.proto.NodeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.StringStringEntryProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TensorProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TensorShapeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TypeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.ValueInfoProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Optimum's other export layouts, rewritten with protobuf from the fixture's torch-exported decoder-with-past graph
 * (its own nodes and weights, so every variant computes the same function and the torch file stays the ground
 * truth): the older {@code decoder_model.onnx} without past inputs, the merged graph with {@code use_cache_branch},
 * a graph that derives {@code position_ids} from the attention mask, weights in an external data file, and fp16
 * weights and I/O.
 */
final class ExportVariants {

    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    private static final int FLOAT16 = TensorProto.DataType.FLOAT16_VALUE;
    private static final int INT64 = TensorProto.DataType.INT64_VALUE;
    private static final int BOOL = TensorProto.DataType.BOOL_VALUE;
    private static final String PAST = "past_key_values.";

    private ExportVariants() {
    }

    /** The fixture's torch-exported model.onnx. */
    static OnnxModelFile torchExport() {
        return OnnxModelFile.read(Qwen3Fixture.FOLDER.resolve("model.onnx"));
    }

    /**
     * {@code decoder_model.onnx}: the same graph with its past inputs removed, each replaced by an empty
     * [batch, heads, 0, head dim] tensor made inside the graph.
     */
    static ModelProto withoutPast(ModelProto model) {
        GraphProto graph = model.getGraph();
        GraphProto.Builder result = graph.toBuilder().clearInput().clearNode();
        graph.getInputList().stream().filter(input -> !input.getName().startsWith(PAST)).forEach(result::addInput);
        emptyPast(graph, result, "no_past/", Map.of());
        result.addAllNode(graph.getNodeList());
        return model.toBuilder().setGraph(result).build();
    }

    /**
     * {@code decoder_model_merged.onnx}: inputs of the with-past graph plus {@code use_cache_branch} (bool [1]); an
     * If node whose then-branch is the with-past graph and whose else-branch the graph without past (past inputs
     * ignored). The weights stay in the main graph, shared by both branches.
     */
    static ModelProto merged(ModelProto model) {
        GraphProto graph = model.getGraph();
        GraphProto.Builder main = graph.toBuilder().clearNode().clearValueInfo()
                .addInput(value("use_cache_branch", BOOL, 1));
        Set<String> outer = new HashSet<>();
        graph.getInputList().forEach(input -> outer.add(input.getName()));
        GraphProto.Builder noPastNodes = GraphProto.newBuilder();
        emptyPast(graph, noPastNodes, "no_past/", Map.of());
        main.addAllInitializer(noPastNodes.getInitializerList());
        main.getInitializerList().forEach(tensor -> outer.add(tensor.getName()));
        GraphProto withPast = branch("with_past", graph.getNodeList(), graph.getOutputList(), outer);
        List<NodeProto> noPast = new ArrayList<>(noPastNodes.getNodeList());
        noPast.addAll(graph.getNodeList());
        Set<String> outerWithoutPast = new HashSet<>(outer);
        outerWithoutPast.removeIf(name -> name.startsWith(PAST));
        GraphProto withoutPast = branch("no_past", noPast, graph.getOutputList(), outerWithoutPast);
        NodeProto.Builder choose = NodeProto.newBuilder().setName("use_cache_branch_if").setOpType("If")
                .addInput("use_cache_branch")
                .addAttribute(AttributeProto.newBuilder().setName("then_branch")
                        .setType(AttributeProto.AttributeType.GRAPH).setG(withPast))
                .addAttribute(AttributeProto.newBuilder().setName("else_branch")
                        .setType(AttributeProto.AttributeType.GRAPH).setG(withoutPast));
        graph.getOutputList().forEach(output -> choose.addOutput(output.getName()));
        return model.toBuilder().setGraph(main.addNode(choose)).build();
    }

    /** The graph without the {@code position_ids} input: positions are {@code cumsum(attention_mask) - 1}. */
    static ModelProto withoutPositionIds(ModelProto model) {
        GraphProto graph = model.getGraph();
        GraphProto.Builder result = graph.toBuilder().clearInput().clearNode();
        graph.getInputList().stream().filter(input -> !input.getName().equals("position_ids"))
                .forEach(result::addInput);
        result.addInitializer(int64("positions/one", new long[] {1}, true))
                .addInitializer(int64("positions/start", new long[] {1}, false))
                .addInitializer(int64("positions/end", new long[] {2}, false))
                .addInitializer(int64("positions/max", new long[] {Long.MAX_VALUE}, false))
                .addInitializer(int64("positions/axes", new long[] {1}, false));
        result.addNode(node("CumSum", List.of("attention_mask", "positions/one"), "positions/cumsum"))
                .addNode(node("Sub", List.of("positions/cumsum", "positions/one"), "positions/all"))
                .addNode(node("Shape", List.of("input_ids"), "positions/ids_shape"))
                .addNode(node("Slice", List.of("positions/ids_shape", "positions/start", "positions/end"),
                        "positions/seq"))
                .addNode(node("Neg", List.of("positions/seq"), "positions/from"))
                .addNode(node("Slice", List.of("positions/all", "positions/from", "positions/max", "positions/axes"),
                        "position_ids"));
        result.addAllNode(graph.getNodeList());
        return model.toBuilder().setGraph(result).build();
    }

    /**
     * Writes {@code model} as {@code folder/name} with every initializer of at least 1 KiB moved to
     * {@code folder/dataName} (location, offset, length), as exports over 2 GB store their weights.
     */
    static void writeWithExternalData(ModelProto model, Path folder, String name, String dataName) throws IOException {
        GraphProto.Builder graph = model.getGraph().toBuilder().clearInitializer();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (TensorProto tensor : model.getGraph().getInitializerList()) {
            if (tensor.getRawData().size() < 1024) {
                graph.addInitializer(tensor);
                continue;
            }
            int offset = data.size();
            tensor.getRawData().writeTo(data);
            graph.addInitializer(tensor.toBuilder().clearRawData()
                    .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(entry("location", dataName))
                    .addExternalData(entry("offset", Integer.toString(offset)))
                    .addExternalData(entry("length", Integer.toString(tensor.getRawData().size()))));
        }
        Files.write(folder.resolve(dataName), data.toByteArray());
        write(model.toBuilder().setGraph(graph).build(), folder.resolve(name));
    }

    /**
     * fp16 weights (every FLOAT initializer stored as FLOAT16 and cast back where it is read), an fp16 cache and
     * fp16 logits: what an Optimum fp16 export hands the runtime.
     */
    static ModelProto float16(OnnxModelFile file) {
        ModelProto model = OnnxModelProtos.proto(file);
        GraphProto.Builder graph = model.getGraph().toBuilder().clearInitializer().clearNode();
        List<NodeProto> casts = new ArrayList<>();
        for (TensorProto tensor : model.getGraph().getInitializerList()) {
            if (tensor.getDataType() != FLOAT) {
                graph.addInitializer(tensor);
                continue;
            }
            float[] values = file.floatInitializer(tensor.getName());
            ByteBuffer halves = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                halves.putShort(toHalf(v));
            }
            graph.addInitializer(TensorProto.newBuilder().setName(tensor.getName() + "/fp16").setDataType(FLOAT16)
                    .addAllDims(tensor.getDimsList()).setRawData(ByteString.copyFrom(halves.array())));
            casts.add(cast(tensor.getName() + "/fp16", tensor.getName(), FLOAT));
        }
        graph.addAllNode(casts);
        return castInterface(model, graph, FLOAT16, true);
    }

    /** The graph with a float64 cache (cast at its edges), which the runtime does not support. */
    static ModelProto doubleCache(ModelProto model) {
        return castInterface(model, model.getGraph().toBuilder().clearNode(), TensorProto.DataType.DOUBLE_VALUE,
                false);
    }

    /**
     * Past inputs and present outputs (and logits when asked) typed {@code type}, cast to and from FLOAT at the
     * graph's edges; {@code graph} already holds any nodes that must come first, the model's nodes are appended.
     */
    private static ModelProto castInterface(ModelProto model, GraphProto.Builder graph, int type, boolean logits) {
        Map<String, String> renames = new HashMap<>();
        List<NodeProto> before = new ArrayList<>();
        List<NodeProto> after = new ArrayList<>();
        graph.clearInput().clearOutput().clearValueInfo();
        for (ValueInfoProto input : model.getGraph().getInputList()) {
            if (input.getName().startsWith(PAST)) {
                renames.put(input.getName(), input.getName() + "/fp32");
                before.add(cast(input.getName(), input.getName() + "/fp32", FLOAT));
                graph.addInput(retyped(input, type));
            } else {
                graph.addInput(input);
            }
        }
        for (ValueInfoProto output : model.getGraph().getOutputList()) {
            if (output.getName().startsWith("present.") || logits) {
                renames.put(output.getName(), output.getName() + "/fp32");
                after.add(cast(output.getName() + "/fp32", output.getName(), type));
                graph.addOutput(retyped(output, type));
            } else {
                graph.addOutput(output);
            }
        }
        graph.addAllNode(before);
        for (NodeProto node : model.getGraph().getNodeList()) {
            graph.addNode(renamed(node, renames));
        }
        graph.addAllNode(after);
        return model.toBuilder().setGraph(graph).build();
    }

    static void write(ModelProto model, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            model.writeTo(out);
        }
    }

    /**
     * Adds nodes (and their constants) that make every past input of {@code graph} as an empty
     * [batch, heads, 0, head dim] tensor, named {@code names.getOrDefault(input, input)}.
     */
    private static void emptyPast(GraphProto graph, GraphProto.Builder into, String prefix, Map<String, String> names) {
        ValueInfoProto first = graph.getInputList().stream().filter(input -> input.getName().startsWith(PAST))
                .findFirst().orElseThrow();
        List<TensorShapeProto.Dimension> dims = first.getType().getTensorType().getShape().getDimList();
        into.addInitializer(int64(prefix + "zero", new long[] {0}, false))
                .addInitializer(int64(prefix + "one", new long[] {1}, false))
                .addInitializer(int64(prefix + "tail", new long[] {dims.get(1).getDimValue(), 0,
                        dims.get(3).getDimValue()}, false));
        into.addNode(node("Shape", List.of("input_ids"), prefix + "ids_shape"))
                .addNode(node("Slice", List.of(prefix + "ids_shape", prefix + "zero", prefix + "one"),
                        prefix + "batch"))
                .addNode(node("Concat", List.of(prefix + "batch", prefix + "tail"), prefix + "past_shape").toBuilder()
                        .addAttribute(AttributeProto.newBuilder().setName("axis")
                                .setType(AttributeProto.AttributeType.INT).setI(0)).build());
        int type = first.getType().getTensorType().getElemType();
        for (ValueInfoProto input : graph.getInputList()) {
            if (input.getName().startsWith(PAST)) {
                into.addNode(node("ConstantOfShape", List.of(prefix + "past_shape"),
                        names.getOrDefault(input.getName(), input.getName())).toBuilder()
                        .addAttribute(AttributeProto.newBuilder().setName("value")
                                .setType(AttributeProto.AttributeType.TENSOR).setT(TensorProto.newBuilder()
                                        .setDataType(type).addDims(1)
                                        .setRawData(ByteString.copyFrom(new byte[4])))).build());
            }
        }
    }

    /** A branch subgraph: every value not in {@code outer} gets the prefix, so the two branches never collide. */
    private static GraphProto branch(String prefix, List<NodeProto> nodes, List<ValueInfoProto> outputs,
                                     Set<String> outer) {
        Map<String, String> renames = new HashMap<>();
        for (NodeProto node : nodes) {
            for (String name : node.getInputList()) {
                if (!name.isEmpty() && !outer.contains(name)) {
                    renames.put(name, prefix + "/" + name);
                }
            }
            for (String name : node.getOutputList()) {
                if (!name.isEmpty()) {
                    renames.put(name, prefix + "/" + name);
                }
            }
        }
        GraphProto.Builder branch = GraphProto.newBuilder().setName(prefix);
        for (NodeProto node : nodes) {
            branch.addNode(renamed(node, renames).toBuilder().setName(prefix + "/" + node.getName()));
        }
        for (ValueInfoProto output : outputs) {
            branch.addOutput(output.toBuilder().setName(renames.get(output.getName())));
        }
        return branch.build();
    }

    private static NodeProto renamed(NodeProto node, Map<String, String> renames) {
        NodeProto.Builder builder = node.toBuilder().clearInput().clearOutput();
        node.getInputList().forEach(name -> builder.addInput(renames.getOrDefault(name, name)));
        node.getOutputList().forEach(name -> builder.addOutput(renames.getOrDefault(name, name)));
        return builder.build();
    }

    private static ValueInfoProto retyped(ValueInfoProto value, int type) {
        ValueInfoProto.Builder builder = value.toBuilder();
        builder.getTypeBuilder().getTensorTypeBuilder().setElemType(type);
        return builder.build();
    }

    private static NodeProto cast(String from, String to, int type) {
        return node("Cast", List.of(from), to).toBuilder().setName("cast/" + to)
                .addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT)
                        .setI(type)).build();
    }

    private static NodeProto node(String op, List<String> inputs, String output) {
        return NodeProto.newBuilder().setOpType(op).setName(output + "/" + op).addAllInput(inputs).addOutput(output)
                .build();
    }

    private static TensorProto int64(String name, long[] values, boolean scalar) {
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(INT64);
        if (!scalar) {
            tensor.addDims(values.length);
        }
        for (long v : values) {
            tensor.addInt64Data(v);
        }
        return tensor.build();
    }

    private static ValueInfoProto value(String name, int type, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long dim : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(dim));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /** IEEE half precision, round to nearest even (Float.floatToFloat16 is Java 20). */
    static short toHalf(float value) {
        int bits = Float.floatToIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7fffff;
        if (exponent == 0xff) {
            return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 : 0));
        }
        int e = exponent - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            mantissa |= 0x800000;
            int shift = 14 - e;
            int half = mantissa >> shift;
            int rest = mantissa & ((1 << shift) - 1);
            int middle = 1 << (shift - 1);
            if (rest > middle || (rest == middle && (half & 1) == 1)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mantissa >> 13);
        int rest = mantissa & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) (sign | half);
    }
}
