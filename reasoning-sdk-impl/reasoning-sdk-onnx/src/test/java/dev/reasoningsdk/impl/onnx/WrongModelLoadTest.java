package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.ModelLoadException;
import dev.reasoningsdk.impl.onnx.internal.OnnxModelProtos;
import dev.reasoningsdk.impl.onnx.internal.proto.GraphProto;
import dev.reasoningsdk.impl.onnx.internal.proto.ModelProto;
import dev.reasoningsdk.impl.onnx.internal.proto.NodeProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A valid ONNX model that is not the one a loader expects fails with a {@link ModelLoadException} naming the file and
 * what it lacks, never with an {@link IllegalArgumentException} from deep inside the graph code.
 */
class WrongModelLoadTest {

    @TempDir
    Path dir;

    @Test
    void anUnrelatedModelGivenToTheTinyReasonerNamesTheFileAndEverythingItLacks() throws IOException {
        Path encoder = dir.resolve("encoder.onnx");
        try (InputStream in = getClass().getResourceAsStream(AllMiniLmL6V2Encoder.MODEL_RESOURCE)) {
            Files.copy(in, encoder);
        }
        assertThatThrownBy(() -> TinyReasoner.builder().modelSource(ModelSource.file(encoder)).build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("model " + encoder + " is not a tiny reasoner: it lacks metadata [vocab,"
                        + " pad_id, bos_id, eos_id, max_len, n_head], outputs [logits, hidden_states] (it has inputs"
                        + " [input_ids, attention_mask, token_type_ids], outputs [last_hidden_state]");
    }

    @Test
    void aModelWithTheMetadataButAnotherGraphNamesTheMissingInputAndOutputs() {
        OnnxModelFile shipped = OnnxModelFile.read(SharedModels.tinyReasoner());
        OnnxModelFile affine = OnnxModelProtos.of("affine.onnx", ExternalDataModels.affine(
                ExternalDataModels.inlineW())).withMetadata(shipped.metadata());
        assertThatThrownBy(() -> TinyReasoner.fromModelFile(affine))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("model affine.onnx is not a tiny reasoner: it lacks input [input_ids],"
                        + " outputs [logits, hidden_states] (it has inputs [x], outputs [y]");
    }

    @Test
    void aTinyReasonerWithAMissingNodeOrBrokenVocabularyNamesTheFileAndTheFault() throws IOException {
        OnnxModelFile shipped = OnnxModelFile.read(SharedModels.tinyReasoner());
        GraphProto.Builder graph = OnnxModelProtos.proto(shipped).getGraph().toBuilder();
        for (NodeProto.Builder node : graph.getNodeBuilderList()) {
            if (node.getName().equals("/m/head/MatMul")) {
                node.setName("/m/head/Renamed");
            }
        }
        Path renamed = Files.write(dir.resolve("renamed.onnx"),
                OnnxModelProtos.proto(shipped).toBuilder().setGraph(graph).build().toByteArray());
        assertThatThrownBy(() -> TinyReasoner.builder().modelSource(ModelSource.file(renamed)).build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("model " + renamed + " is not a tiny reasoner: ")
                .hasMessageContaining("/m/head/MatMul");

        ModelProto badVocabulary = OnnxModelProtos.proto(shipped.withMetadata(Map.of("vocab", "[not, an, object]")));
        Path broken = Files.write(dir.resolve("broken-vocab.onnx"), badVocabulary.toByteArray());
        assertThatThrownBy(() -> TinyReasoner.builder().modelSource(ModelSource.file(broken)).build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("model " + broken + " is not a tiny reasoner: vocab is not a JSON object");
    }
}
