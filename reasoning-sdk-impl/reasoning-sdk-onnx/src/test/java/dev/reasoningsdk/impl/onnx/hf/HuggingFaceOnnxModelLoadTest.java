package dev.reasoningsdk.impl.onnx.hf;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.ModelLoadException;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the export-folder loader refuses, each at build() with a ModelLoadException naming the file and why (a
 * tokenizer from another model at the first text it encodes past the vocabulary).
 */
class HuggingFaceOnnxModelLoadTest {

    private static final List<String> SMALL_FILES = List.of("config.json", "generation_config.json",
            "tokenizer_config.json", "special_tokens_map.json");

    @TempDir
    Path root;
    private Path folder;

    @BeforeEach
    void copySmallFiles() throws IOException {
        folder = Files.createDirectories(root.resolve("export"));
        for (String name : SMALL_FILES) {
            Files.copy(Qwen3Fixture.FOLDER.resolve(name), folder.resolve(name));
        }
    }

    @Test
    void aMissingFolder() {
        assertRefused(root.resolve("nowhere"), "model folder " + root.resolve("nowhere")
                + " not found: no such directory");
    }

    @Test
    void aFileGivenForTheFolder() {
        // Was "not found: no such directory" for a file that is there.
        assertRefused(folder.resolve("config.json"), "model folder " + folder.resolve("config.json")
                + " is a file, not a folder: give the export folder that holds config.json, the tokenizer and the "
                + "graph (" + folder + "?)");
    }

    @Test
    void aMissingConfig() throws IOException {
        Files.delete(folder.resolve("config.json"));
        assertRefused(folder, "model folder " + folder + ": config.json: missing");
    }

    @Test
    void malformedAndDuplicatedJson() throws IOException {
        Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"qwen3\",");
        assertRefused(folder, "config.json: not valid JSON: ");
        Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"qwen3\", \"model_type\": \"llama\"}");
        assertRefused(folder, "config.json: not valid JSON: Duplicate field 'model_type'");
    }

    @Test
    void aConfigWithoutTheVocabularyOrWithBadIds() throws IOException {
        replace("config.json", "\"vocab_size\": 151936", "\"vocab\": 151936");
        assertRefused(folder, "config.json: vocab_size is missing");
        replace("config.json", "\"vocab\": 151936", "\"vocab_size\": 151936");
        replace("generation_config.json", "151645,", "\"<|im_end|>\",");
        assertRefused(folder, "generation_config.json: eos_token_id must be an id >= 0 or a list of them");
    }

    @Test
    void anEndTokenOutsideTheVocabularyIsNamedInTheFileThatSetsIt() throws IOException {
        replace("generation_config.json", "151645,", "151936,");
        assertRefused(folder, "generation_config.json: eos_token_id 151936 is outside the vocabulary of 151936");
        replace("generation_config.json", "151936,", "151645,");
        replace("config.json", "\"eos_token_id\": 151645", "\"eos_token_id\": 200000");
        assertRefused(folder, folder + ": config.json: eos_token_id 200000 is outside the vocabulary of 151936");
    }

    @Test
    void aPadTokenOutsideTheVocabularyIsRefusedAtLoadNotAtTheFirstBatchThatPads() throws IOException {
        // Finished rows are fed the pad token: out of the vocabulary, ONNX Runtime's embedding Gather fails mid-run.
        replace("generation_config.json", "\"pad_token_id\": 151643", "\"pad_token_id\": 999999");
        assertRefused(folder, folder + ": generation_config.json: pad_token_id 999999 is outside the vocabulary of "
                + "151936");
        Files.writeString(folder.resolve("generation_config.json"), "{}");
        replace("config.json", "\"eos_token_id\": 151645", "\"eos_token_id\": 151645, \"pad_token_id\": 151936");
        assertRefused(folder, folder + ": config.json: pad_token_id 151936 is outside the vocabulary of 151936");
    }

    @Test
    void aFileLinkedOutOfTheFolder() throws IOException {
        Path outside = Files.copy(Qwen3Fixture.FOLDER.resolve("tokenizer_config.json"),
                root.resolve("tokenizer_config.json"));
        Files.delete(folder.resolve("tokenizer_config.json"));
        Files.createSymbolicLink(folder.resolve("tokenizer_config.json"), outside);
        assertRefused(folder, "tokenizer_config.json: it is a link to " + outside.toRealPath()
                + ", outside the model's folder " + folder.toRealPath());
    }

    @Test
    void aChatTemplateThatDoesNotParse() throws IOException {
        replace("tokenizer_config.json", "{%- endif %}\\n{%- endif %}\\n{%- set ns", "{%- endif %}\\n{%- set ns");
        assertRefused(folder, "tokenizer_config.json: the chat template does not parse: line ");
    }

    @Test
    void noGraphOfAnyKnownLayout() {
        assertRefused(folder, "model.onnx: missing, and neither decoder_model_merged.onnx nor decoder_model.onnx +"
                + " decoder_with_past_model.onnx is there");
    }

    @Test
    void aDecoderWithoutCacheAlone() throws IOException {
        Files.writeString(folder.resolve("decoder_model.onnx"), "not read");
        assertRefused(folder, "decoder_model.onnx: a decoder without a KV cache and no decoder_with_past_model.onnx"
                + " beside it");
    }

    @Test
    void theOlderPairWithoutItsFirstPassGraph() throws IOException {
        Files.writeString(folder.resolve("decoder_with_past_model.onnx"), "not read");
        assertRefused(folder, "decoder_model.onnx: missing: the two-file export runs its first pass with it");
    }

    @Test
    void aMergedFileIsChosenWhenThereIsNoModelOnnx() throws IOException {
        Files.copy(Qwen3Fixture.FOLDER.resolve("tokenizer.json"), folder.resolve("tokenizer.json"));
        Files.writeString(folder.resolve("decoder_model_merged.onnx"), "not an ONNX file");
        assertRefused(folder, "decoder_model_merged.onnx");
    }

    @Test
    void aGraphThatDoesNotMatchTheConfig() throws IOException {
        Files.copy(Qwen3Fixture.FOLDER.resolve("model.onnx"), folder.resolve("model.onnx"));
        Files.copy(Qwen3Fixture.FOLDER.resolve("tokenizer.json"), folder.resolve("tokenizer.json"));
        replace("config.json", "\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3");
        assertRefused(folder, "model.onnx: does not match config.json: num_hidden_layers is 3 but the graph has 2"
                + " past key/value pairs");
    }

    @Test
    void aBosTokenOutsideTheVocabularyIsRefusedWhenItWouldBeAdded() throws IOException {
        // add_bos_token with no bos_token text falls back to config.json's id, prepended to every prompt.
        for (String name : List.of("tokenizer.json", "model.onnx")) {
            Files.copy(Qwen3Fixture.FOLDER.resolve(name), folder.resolve(name));
        }
        replace("tokenizer_config.json", "\"add_bos_token\": false", "\"add_bos_token\": true");
        replace("config.json", "\"bos_token_id\": 151643", "\"bos_token_id\": 160000");
        assertRefused(folder, folder + ": config.json: bos_token_id 160000 is outside the vocabulary of 151936");
    }

    @Test
    void anotherModelsTokenizerIsNamedAtTheFirstTextItEncodesPastTheVocabulary() throws IOException {
        // The tiny reasoner (99 tokens) with Qwen3's tokenizer.json: both load, but Qwen's ids overrun the graph's
        // embedding, which ONNX Runtime would report as a failed Gather naming no file.
        Path mixed = Files.createDirectories(root.resolve("tiny-with-qwen-tokenizer"));
        for (String name : List.of("config.json", "generation_config.json", "tokenizer_config.json", "model.onnx")) {
            Files.copy(TinyReasoner.folder().resolve(name), mixed.resolve(name));
        }
        Files.copy(Qwen3Fixture.FOLDER.resolve("tokenizer.json"), mixed.resolve("tokenizer.json"));
        try (HuggingFaceOnnxModel model = HuggingFaceOnnxModel.of(mixed)) {
            String refusal = "model folder " + mixed + ": tokenizer.json: it gives token id ";
            assertThatThrownBy(() -> model.generate(model.formatPrompt("Sam has 14 apples."), 1,
                    GenerationOptions.greedy(4))).isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining(refusal).hasMessageContaining("outside config.json's vocab_size of 99");
            assertThatThrownBy(() -> model.continuationLogProbs("Q: 2+3?\nA:", " Sam has 5 apples."))
                    .isInstanceOf(ModelLoadException.class).hasMessageContaining(refusal);
        }
    }

    private void replace(String name, String from, String to) throws IOException {
        String text = Files.readString(folder.resolve(name));
        if (!text.contains(from)) {
            throw new AssertionError(name + " has no " + from);
        }
        Files.writeString(folder.resolve(name), text.replace(from, to));
    }

    private static void assertRefused(Path folder, String message) {
        assertThatThrownBy(() -> HuggingFaceOnnxModel.of(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(message);
    }
}
