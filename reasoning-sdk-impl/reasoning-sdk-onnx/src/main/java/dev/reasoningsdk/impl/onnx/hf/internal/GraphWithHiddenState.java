package dev.reasoningsdk.impl.onnx.hf.internal;

import dev.reasoningsdk.impl.onnx.ModelSource;
import dev.reasoningsdk.impl.onnx.OnnxExternalData;
import dev.reasoningsdk.impl.onnx.OnnxModelFile;
import dev.reasoningsdk.impl.onnx.internal.NextTokenOutputs;
import dev.reasoningsdk.impl.onnx.internal.proto.NodeProto;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A decoder graph given its last hidden state as an extra output, as the sentence encoder is given its layers: the
 * tensor that enters the output head, found as the first input of the {@code MatMul} or {@code Gemm} node that
 * writes {@code logits} (in a Hugging Face export the final norm's output, {@code hidden_states[-1]}). The graph
 * is then opened from memory. When the head is not such a node, or the weights live in external data files (which
 * a graph opened from memory cannot reach), the file is opened as it is and {@link #why()} says why there is no
 * hidden state. Either way the graph opened from memory also gets the next-token outputs of
 * {@link NextTokenOutputs}, so a decoding step reads a few numbers per row instead of the whole vocabulary.
 *
 * @param source            what to open
 * @param hiddenStateOutput the added output, when there is one
 * @param why               why there is none, or empty
 */
public record GraphWithHiddenState(ModelSource source, Optional<String> hiddenStateOutput, String why) {

    private static final String LOGITS = "logits";
    private static final Set<String> HEAD_OPS = Set.of("MatMul", "Gemm");

    /** @throws NullPointerException if a component is null */
    public GraphWithHiddenState {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(hiddenStateOutput, "hiddenStateOutput");
        Objects.requireNonNull(why, "why");
    }

    /**
     * Reads the graph file and adds its last hidden state as an output where it can.
     *
     * @throws dev.reasoningsdk.api.ModelLoadException naming the file if it cannot be read or is not ONNX
     */
    public static GraphWithHiddenState of(Path modelFile) {
        ModelSource file = ModelSource.file(modelFile);
        byte[] bytes = file.readBytes();
        if (!OnnxExternalData.references(file.name(), bytes).isEmpty()) {
            return new GraphWithHiddenState(file, Optional.empty(), "the weights are in external data files");
        }
        OnnxModelFile model = OnnxModelFile.parse(file.name(), bytes);
        List<NodeProto> heads = model.proto().getGraph().getNodeList().stream()
                .filter(node -> node.getOutputList().contains(LOGITS)).toList();
        if (heads.size() != 1 || !HEAD_OPS.contains(heads.get(0).getOpType()) || heads.get(0).getInputCount() < 1) {
            return new GraphWithHiddenState(ModelSource.bytes(file.name(), NextTokenOutputs.add(model).toBytes()),
                    Optional.empty(), "'" + LOGITS + "' is not written by one MatMul "
                    + "or Gemm node (the output head) whose input is the last hidden state");
        }
        String hidden = heads.get(0).getInput(0);
        return new GraphWithHiddenState(ModelSource.bytes(file.name(),
                NextTokenOutputs.add(model.withGraphOutputs(List.of(hidden))).toBytes()), Optional.of(hidden), "");
    }
}
