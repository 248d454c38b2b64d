package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.api.model.ChatTurn;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.onnx.internal.TinyReasonerGraph;
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
        // The api's default conversation rules over the trained format (CausalLanguageModelTest), which the model
        // followed before it had a template: system texts then a newline, later user texts after a newline.
        assertThat(model.formatConversation(turns)).isEqualTo("Q: Be brief.\nAna has 7.\nA: 7.\nAnd now?");
        assertThat(model.formatConversation(turns.subList(0, 3))).isEqualTo("Q: Be brief.\nAna has 7.\nA: 7.");
        // A partial chain is continued from its last character: a step that ended a line, or a sentence.
        for (String chain : List.of(" 3+4=7.\n", " 3+4=7. ", " 3+4=7.\n \n", " 3+4=7.", "\n3+4=7.\n")) {
            assertThat(model.formatConversation(List.of(ChatTurn.user("Ana has 7."), ChatTurn.assistant(chain))))
                    .as(chain).isEqualTo(model.formatPrompt("Ana has 7.") + chain);
        }
    }

    @Test
    void theLoaderOptionsItNeedsAreCheckedEagerly() {
        assertThatThrownBy(() -> HuggingFaceOnnxModel.builder().intraOpThreads(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 0");
        assertThatThrownBy(() -> HuggingFaceOnnxModel.builder().modelId(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("modelId");
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(1)) {
            assertThatThrownBy(() -> HuggingFaceOnnxModel.builder().intraOpThreads(1).sessionFactory(factory))
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> HuggingFaceOnnxModel.builder().sessionFactory(factory)
                    .executionProvider(ExecutionProvider.CPU)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void describesItself() {
        assertThat(model.modelId()).isEqualTo("tiny-reasoner@1");
        assertThat(model.contextLength()).isEqualTo(Integer.parseInt(shipped.metadata().get("max_len")));
        assertThat(model.modelType()).isEqualTo("tiny-reasoner");
    }
}
