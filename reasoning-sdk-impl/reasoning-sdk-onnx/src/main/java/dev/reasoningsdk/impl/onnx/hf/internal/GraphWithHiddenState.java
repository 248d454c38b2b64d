package dev.reasoningsdk.impl.onnx.hf.internal;

import dev.reasoningsdk.impl.onnx.ModelSource;
import dev.reasoningsdk.impl.onnx.OnnxModelFile;
import dev.reasoningsdk.impl.onnx.internal.NextTokenOutputs;
import dev.reasoningsdk.impl.onnx.internal.OnnxExternalData;
import dev.reasoningsdk.impl.onnx.internal.OnnxModelProtos;
import dev.reasoningsdk.impl.onnx.internal.proto.GraphProto;
import dev.reasoningsdk.impl.onnx.internal.proto.NodeProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A decoder graph given hidden states as extra outputs, as the sentence encoder is given its layers, numbered as
 * {@code transformers} numbers {@code hidden_states} for a model with {@code L} layers: 0 the token embeddings,
 * {@code i} (0 &lt; i &lt; L) the residual stream after decoder layer {@code i}, {@code L} the final state (after the
 * final norm, the input of the output head).
 *
 * <p>The final state is found as the first input of the {@code MatMul} or {@code Gemm} node that writes {@code
 * logits}. The others are found on the residual stream: it starts at the {@code Gather} that reads {@code input_ids}
 * (the embeddings), and each decoder layer adds to it twice (after attention, after the MLP), so the stream after
 * layer {@code i} is the output of the {@code 2i}-th residual {@code Add}: the one {@code Add} that reads the stream
 * itself or an identity-like copy of it ({@code Cast}, {@code Identity}; a float32 {@code RMSNorm} export casts the
 * stream before reading it). The walk must find exactly {@code 2L} such adds, or the layers are not read: a fused
 * graph ({@code SkipSimplifiedLayerNormalization}) or one whose decoder sits inside {@code If} branches (the merged
 * export) has no such chain at its top level. The graph is then opened from memory. When a state cannot be found, or
 * the weights live in external data files (which a graph opened from memory cannot reach), {@link #why()} says why.
 * Either way the graph opened from memory also gets the next-token outputs of {@link NextTokenOutputs}, so a
 * decoding step reads a few numbers per row instead of the whole vocabulary.
 *
 * @param source            what to open
 * @param hiddenStateOutput the final state's output, when there is one
 * @param layerOutputs      the output of each layer found and asked for, by layer number ({@code L} included when
 *                          found), in layer order
 * @param why               why a layer asked for (or the final state) was not found, or empty
 */
public record GraphWithHiddenState(ModelSource source, Optional<String> hiddenStateOutput,
                                   Map<Integer, String> layerOutputs, String why) {

    private static final String LOGITS = "logits";
    private static final String INPUT_IDS = "input_ids";
    private static final Set<String> HEAD_OPS = Set.of("MatMul", "Gemm");
    private static final Set<String> COPY_OPS = Set.of("Cast", "Identity");

    /** @throws NullPointerException if a component is null */
    public GraphWithHiddenState {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(hiddenStateOutput, "hiddenStateOutput");
        layerOutputs = Collections.unmodifiableSortedMap(new TreeMap<>(Objects.requireNonNull(layerOutputs,
                "layerOutputs")));
        Objects.requireNonNull(why, "why");
    }

    /**
     * Reads the graph file and adds its final hidden state as an output where it can; no layer is numbered (the
     * number of layers is not known here), so {@link #layerOutputs()} is empty.
     *
     * @throws dev.reasoningsdk.api.ModelLoadException naming the file if it cannot be read or is not ONNX
     */
    public static GraphWithHiddenState of(Path modelFile) {
        GraphWithHiddenState graph = of(modelFile, 0, new TreeSet<>());
        return new GraphWithHiddenState(graph.source(), graph.hiddenStateOutput(), Map.of(), graph.why());
    }

    /**
     * Reads the graph file and adds the final hidden state and the chosen layers' states as outputs where it can.
     *
     * @param layers the model's {@code num_hidden_layers} ({@code L})
     * @param chosen layer numbers in {@code [0, L]} besides the final state; empty for the final state only
     * @throws IllegalArgumentException                if a chosen layer is outside {@code [0, L]}
     * @throws dev.reasoningsdk.api.ModelLoadException naming the file if it cannot be read or is not ONNX
     */
    public static GraphWithHiddenState of(Path modelFile, int layers, SortedSet<Integer> chosen) {
        Objects.requireNonNull(chosen, "chosen");
        for (int layer : chosen) {
            if (layer < 0 || layer > layers) {
                throw new IllegalArgumentException("hidden-state layer " + layer + " is outside [0, " + layers + "]");
            }
        }
        ModelSource file = ModelSource.file(modelFile);
        byte[] bytes = file.readBytes();
        if (!OnnxExternalData.references(file.name(), bytes).isEmpty()) {
            return new GraphWithHiddenState(file, Optional.empty(), Map.of(), "the weights are in external data files");
        }
        OnnxModelFile model = OnnxModelFile.parse(file.name(), bytes);
        GraphProto graph = OnnxModelProtos.proto(model).getGraph();
        List<NodeProto> heads = graph.getNodeList().stream()
                .filter(node -> node.getOutputList().contains(LOGITS)).toList();
        if (heads.size() != 1 || !HEAD_OPS.contains(heads.get(0).getOpType()) || heads.get(0).getInputCount() < 1) {
            return new GraphWithHiddenState(ModelSource.bytes(file.name(), NextTokenOutputs.add(model).toBytes()),
                    Optional.empty(), Map.of(), "'" + LOGITS + "' is not written by one "
                    + "MatMul or Gemm node (the output head) whose input is the last hidden state");
        }
        String last = heads.get(0).getInput(0);
        Map<Integer, String> found = new LinkedHashMap<>();
        String why = "";
        SortedSet<Integer> middle = chosen.headSet(layers);
        if (!middle.isEmpty()) {
            List<String> stream = residualStream(graph);
            if (stream.size() != 2 * layers + 1) {
                why = "the residual stream was not found: from the Gather that reads '" + INPUT_IDS + "', "
                        + (stream.isEmpty() ? "no such Gather" : (stream.size() - 1) + " residual Adds")
                        + " where " + layers + " layers make " + 2 * layers;
            } else {
                middle.forEach(layer -> found.put(layer, stream.get(2 * layer)));
            }
        }
        found.put(layers, last);
        List<String> outputs = new ArrayList<>(found.values());
        return new GraphWithHiddenState(ModelSource.bytes(file.name(),
                NextTokenOutputs.add(model.withGraphOutputs(outputs)).toBytes()),
                Optional.of(last), why.isEmpty() ? found : Map.of(layers, last), why);
    }

    /**
     * The residual stream: the embeddings, then the output of each residual Add in turn, as long as exactly one Add
     * reads the current stream (or a Cast/Identity copy of it); empty when no Gather reads {@code input_ids}.
     */
    private static List<String> residualStream(GraphProto graph) {
        List<NodeProto> embeddings = graph.getNodeList().stream()
                .filter(node -> node.getOpType().equals("Gather") && node.getInputCount() == 2
                        && node.getInput(1).equals(INPUT_IDS)).toList();
        if (embeddings.size() != 1) {
            return List.of();
        }
        List<String> stream = new ArrayList<>();
        String current = embeddings.get(0).getOutput(0);
        while (current != null) {
            stream.add(current);
            Set<String> copies = copies(graph, current);
            List<NodeProto> adds = graph.getNodeList().stream().filter(node -> node.getOpType().equals("Add")
                    && node.getInputList().stream().anyMatch(copies::contains)).toList();
            current = adds.size() == 1 ? adds.get(0).getOutput(0) : null;
        }
        return stream;
    }

    /** The tensor and every tensor that Cast or Identity nodes copy it to, transitively. */
    private static Set<String> copies(GraphProto graph, String tensor) {
        Set<String> copies = new HashSet<>(Set.of(tensor));
        boolean grew = true;
        while (grew) {
            grew = false;
            for (NodeProto node : graph.getNodeList()) {
                if (COPY_OPS.contains(node.getOpType()) && node.getInputCount() == 1
                        && copies.contains(node.getInput(0))) {
                    grew |= copies.add(node.getOutput(0));
                }
            }
        }
        return copies;
    }
}
