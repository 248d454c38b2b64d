package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.ChatTurn;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded tiny reasoner's export folder is what its README says it is: {@code model.onnx} is exactly the graph
 * {@link TinyReasonerGraph} builds from {@code tiny-reasoner.onnx}; {@code tokenizer.json} gives the character ids of
 * the model's own {@code vocab} metadata; the chat template writes the trained prompt format.
 *
 * <p>Also the tool that writes {@code model.onnx}: run with {@code -Dtinyreasoner.writeModel=true} after a change to
 * {@link TinyReasonerGraph} or the weights, then commit the file.
 */
class TinyReasonerFolderTest {

    private static final String RESOURCE_FOLDER = "dev/reasoningsdk/models/tiny-reasoner";
    private static HuggingFaceOnnxModel model;
    private static OnnxModelFile shipped;

    @BeforeAll
    static void load() throws IOException {
        shipped = OnnxModelFile.read(ModelSource.classpath("/" + RESOURCE_FOLDER + "/tiny-reasoner.onnx"));
        if (Boolean.getBoolean("tinyreasoner.writeModel")) {
            byte[] built = TinyReasonerGraph.withPast(shipped).toBytes();
            for (String root : List.of("src/main/resources", "target/classes")) {
                Files.write(Path.of(root, RESOURCE_FOLDER, HuggingFaceOnnxModel.MODEL_FILE), built);
            }
        }
        model = TinyReasoner.builder().intraOpThreads(1).build();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void theCommittedGraphIsTheOneBuiltFromTheTrainedWeights() throws IOException {
        byte[] built = TinyReasonerGraph.withPast(shipped).toBytes();
        byte[] committed = Files.readAllBytes(TinyReasoner.folder().resolve(HuggingFaceOnnxModel.MODEL_FILE));
        assertThat(Arrays.equals(committed, built))
                .as("model.onnx is stale: rerun this test with -Dtinyreasoner.writeModel=true").isTrue();
    }

    @Test
    void theTokenizerGivesOneIdPerCharacterAsTheVocabMetadataSays() throws IOException {
        JsonNode vocab = new ObjectMapper().readTree(shipped.metadata().get("vocab"));
        StringBuilder every = new StringBuilder();
        int[] expected = new int[vocab.size() - 3];
        int n = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String token = entry.getValue().asText();
            if (token.length() == 1) {
                every.append(token);
                expected[n++] = Integer.parseInt(entry.getKey());
            }
        }
        assertThat(n).isEqualTo(expected.length);
        int bos = Integer.parseInt(shipped.metadata().get("bos_id"));
        int[] ids = model.encode(every.toString());
        assertThat(ids[0]).isEqualTo(bos);
        assertThat(Arrays.copyOfRange(ids, 1, ids.length)).containsExactly(expected);
        assertThat(model.decode(ids, true)).isEqualTo(every.toString());
        assertThat(model.decode(new int[] {bos}, false)).isEqualTo("<bos>");
        assertThat(model.endTokenIds()).containsExactly(Integer.parseInt(shipped.metadata().get("eos_id")));
    }

    @Test
    void theChatTemplateWritesTheTrainedPromptFormatAndTheDefaultConversation() {
        assertThat(model.formatPrompt("Ana has 7. How many?")).isEqualTo("Q: Ana has 7. How many?\nA:");
        List<ChatTurn> turns = List.of(ChatTurn.system("Be brief."), ChatTurn.user("Ana has 7."),
                ChatTurn.assistant(" 7."), ChatTurn.user("And now?"));
        CausalLanguageModel plain = new TrainedFormatOnly();
        assertThat(model.formatConversation(turns)).isEqualTo(plain.formatConversation(turns));
        List<ChatTurn> open = turns.subList(0, 3);
        assertThat(model.formatConversation(open)).isEqualTo(plain.formatConversation(open));
    }

    /** The api's default conversation over the trained prompt format: what the model rendered before its folder. */
    private static final class TrainedFormatOnly implements CausalLanguageModel {
        @Override
        public String formatPrompt(String userText) {
            return "Q: " + userText + "\nA:";
        }

        @Override
        public List<Generation> generate(String prompt, int count, GenerationOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public float[] continuationLogProbs(String prompt, String continuation) {
            throw new UnsupportedOperationException();
        }

        @Override
        public float[] promptHiddenState(String prompt) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int contextLength() {
            return 0;
        }

        @Override
        public String modelId() {
            return "trained-format";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void describesItself() {
        assertThat(model.modelId()).isEqualTo("tiny-reasoner@1");
        assertThat(model.contextLength()).isEqualTo(Integer.parseInt(shipped.metadata().get("max_len")));
        assertThat(model.modelType()).isEqualTo("tiny-reasoner");
    }
}
