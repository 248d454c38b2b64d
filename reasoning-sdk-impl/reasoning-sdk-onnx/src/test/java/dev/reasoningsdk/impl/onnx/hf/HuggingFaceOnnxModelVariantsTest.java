package dev.reasoningsdk.impl.onnx.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.api.ModelLoadException;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.onnx.DynamicInt8Quantization;
import dev.reasoningsdk.impl.onnx.ModelSource;
import dev.reasoningsdk.impl.onnx.OnnxModelFile;
import dev.reasoningsdk.impl.onnx.OnnxModelSession;
import dev.reasoningsdk.impl.onnx.OnnxSessionFactory;
import dev.reasoningsdk.impl.onnx.internal.OnnxModelProtos;
import dev.reasoningsdk.impl.onnx.internal.proto.ModelProto;
import dev.reasoningsdk.impl.onnx.internal.proto.NodeProto;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every export variant the loader supports, built from the fixture's torch-exported graph and weights
 * ({@link ExportVariants}), decodes the same greedy ids as that graph on every reference conversation, with
 * log-probabilities within tolerance of PyTorch's; the layouts it does not support are refused at load, naming the file
 * and the reason. The variant files live in this test's temporary folder only.
 */
class HuggingFaceOnnxModelVariantsTest {

    /** fp32 variants compute the torch graph's function: the same tolerance as the plain file. */
    private static final double FP32_TOLERANCE = 1e-3;
    /** fp16 weights move log-probs by up to 1.4e-2 on this model (measured); greedy ids must still be identical. */
    private static final double FP16_TOLERANCE = 0.05;
    /**
     * int8 weights with uint8 activations quantized per call: logits moved by up to 1.21 (measured on an AVX-512 VNNI
     * CPU); ONNX Runtime's AVX2 u8s8 kernel may saturate its 16-bit sums, so the bound leaves room for that.
     */
    private static final double INT8_LOGIT_ERROR = 2.5;
    private static final List<String> FILES = List.of("config.json", "generation_config.json",
            "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json");

    @TempDir
    static Path root;
    private static OnnxModelFile torch;
    private static ModelProto torchProto;
    private static OnnxSessionFactory factory;

    @BeforeAll
    static void readTheTorchExport() {
        torch = ExportVariants.torchExport();
        torchProto = OnnxModelProtos.proto(torch);
        factory = OnnxSessionFactory.cpu(1);
    }

    @AfterAll
    static void closeFactory() {
        factory.close();
    }

    @Test
    void theOlderPairDecoderModelAndDecoderWithPastModel() throws IOException {
        Path folder = folder("pair", Map.of(HuggingFaceOnnxModel.NO_PAST_FILE, ExportVariants.withoutPast(torchProto),
                HuggingFaceOnnxModel.WITH_PAST_FILE, torchProto));
        assertDecodesAsTheTorchExport(folder, FP32_TOLERANCE);
    }

    @Test
    void theMergedDecoderWithUseCacheBranch() throws IOException {
        Path folder = folder("merged", Map.of(HuggingFaceOnnxModel.MERGED_FILE,
                ExportVariants.merged(torchProto)));
        assertDecodesAsTheTorchExport(folder, FP32_TOLERANCE);
    }

    @Test
    void hiddenStateLayersAreRefusedWhereTheResidualStreamIsInsideBranches() throws IOException {
        Path folder = folder("merged-layers", Map.of(HuggingFaceOnnxModel.MERGED_FILE,
                ExportVariants.merged(torchProto)));
        assertThatThrownBy(() -> HuggingFaceOnnxModel.builder().folder(folder).sessionFactory(factory)
                .hiddenStateLayers(1).build()).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(HuggingFaceOnnxModel.MERGED_FILE)
                .hasMessageContaining("hidden-state layers [1] were asked for but cannot be read");
    }

    @Test
    void aGraphWithoutPositionIds() throws IOException {
        ModelProto graph = ExportVariants.withoutPositionIds(torchProto);
        assertThat(graph.getGraph().getInputList()).noneMatch(input -> input.getName().equals("position_ids"));
        assertDecodesAsTheTorchExport(folder("no-position-ids", Map.of("model.onnx", graph)), FP32_TOLERANCE);
    }

    @Test
    void aMergedGraphWithoutPositionIds() throws IOException {
        Path folder = folder("merged-no-position-ids", Map.of(HuggingFaceOnnxModel.MERGED_FILE,
                ExportVariants.merged(ExportVariants.withoutPositionIds(torchProto))));
        assertDecodesAsTheTorchExport(folder, FP32_TOLERANCE);
    }

    @Test
    void weightsInAnExternalDataFile() throws IOException {
        Path folder = folder("external", Map.of());
        ExportVariants.writeWithExternalData(torchProto, folder, "model.onnx", "model.onnx_data");
        assertThat(Files.size(folder.resolve("model.onnx"))).isLessThan(1_000_000);
        assertThat(Files.size(folder.resolve("model.onnx_data"))).isGreaterThan(19_000_000);
        assertDecodesAsTheTorchExport(folder, FP32_TOLERANCE);
    }

    @Test
    void externalDataOutsideTheFolderIsRefused() throws IOException {
        Path folder = folder("external-outside", Map.of());
        Path data = Files.createDirectories(root.resolve("elsewhere"));
        ExportVariants.writeWithExternalData(torchProto, data, "unused.onnx", "model.onnx_data");
        ExportVariants.writeWithExternalData(torchProto, folder, "model.onnx", "../elsewhere/model.onnx_data");
        assertThatThrownBy(() -> load(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model.onnx").hasMessageContaining("../elsewhere/model.onnx_data");
    }

    @Test
    void fp16WeightsCacheAndLogits() throws IOException {
        Path folder = folder("fp16", Map.of("model.onnx", ExportVariants.float16(torch)));
        assertDecodesAsTheTorchExport(folder, FP16_TOLERANCE);
    }

    /**
     * int8 weights (ONNX Runtime's DynamicQuantizeMatMul, as {@code quantize_dynamic} writes it; weights symmetric
     * per output column, the tied output head and the embedding left in fp32) load and decode, but cannot decode the
     * torch file's greedy ids on this model: int8 moves every step's logits by 0.28 to 1.2 (max over the
     * vocabulary), and the reference's top-1/top-2 margins go down to 0.02 (docs/local-models.md has the figures).
     * What is checked instead: the logit error stays within {@link #INT8_LOGIT_ERROR} at every reference step
     * (teacher-forced, one pass), and greedy decoding through the loader (cached, one token a call, so each call
     * quantizes its own activations) follows the reference until, at most, a step where the torch file's logit of
     * the int8 pick is within twice that bound of its top logit: the only swap an error within the bound can cause.
     */
    @Test
    void int8DynamicallyQuantizedWeightsDivergeOnlyWhereTheMarginIsWithinTheQuantizationError() throws IOException {
        OnnxModelFile int8 = DynamicInt8Quantization.quantizeWeights(torch);
        List<NodeProto> nodes = OnnxModelProtos.proto(int8).getGraph().getNodeList();
        assertThat(nodes).filteredOn(node -> node.getOpType().equals("DynamicQuantizeMatMul")).hasSize(14);
        // The tied head multiplies by Transpose(embedding) and the embedding is a Gather: neither is quantized.
        assertThat(nodes).filteredOn(node -> node.getOutputList().contains("logits")).singleElement()
                .satisfies(head -> assertThat(head.getOpType()).isEqualTo("MatMul"));
        assertThat(nodes).filteredOn(node -> node.getOpType().equals("Gather")
                && node.getInput(0).equals("model.embed_tokens.weight")).hasSize(1);
        try (OnnxModelSession exact = factory.open(ModelSource.bytes("torch", torch.toBytes()));
             OnnxModelSession approximate = factory.open(ModelSource.bytes("int8", int8.toBytes()));
             HuggingFaceOnnxModel model = load(folder("int8", Map.of("model.onnx", OnnxModelProtos.proto(int8))))) {
            for (Qwen3Fixture.Rendering rendering : Qwen3Fixture.renderings()) {
                JsonNode greedy = rendering.node().get("greedy");
                int[] expected = Qwen3Fixture.ints(greedy.get("ids_with_cache"));
                int[] prompt = rendering.inputIds();
                int[] ids = Arrays.copyOf(prompt, prompt.length + expected.length - 1);
                System.arraycopy(expected, 0, ids, prompt.length, expected.length - 1);
                float[][] reference = logits(exact, ids);
                float[][] quantized = logits(approximate, ids);
                for (int step = 0; step < expected.length; step++) {
                    float[] x = reference[prompt.length - 1 + step];
                    float[] y = quantized[prompt.length - 1 + step];
                    double error = 0;
                    for (int token = 0; token < x.length; token++) {
                        error = Math.max(error, Math.abs(x[token] - y[token]));
                    }
                    assertThat(error).as(rendering + " step " + step).isLessThanOrEqualTo(INT8_LOGIT_ERROR);
                }
                Generation generation = model.generate(rendering.text(), 1,
                        GenerationOptions.greedy(expected.length)).get(0);
                int step = 0;
                while (step < expected.length && generation.tokenIds()[step] == expected[step]) {
                    step++;
                }
                if (step < expected.length) {
                    float[] x = reference[prompt.length - 1 + step];
                    assertThat((double) x[expected[step]] - x[generation.tokenIds()[step]])
                            .as(rendering + " diverged at step " + step).isLessThan(2 * INT8_LOGIT_ERROR);
                }
            }
        }
    }

    /** Every position's logits of one prefill pass (empty past), as Optimum drives the graph. */
    private static float[][] logits(OnnxModelSession model, int[] ids) {
        OrtEnvironment environment = model.environment();
        int n = ids.length;
        long[] tokens = new long[n];
        long[] mask = new long[n];
        long[] positions = new long[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = ids[i];
            mask[i] = 1;
            positions[i] = i;
        }
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(tokens), new long[] {1, n}));
            inputs.put("attention_mask", OnnxTensor.createTensor(environment, LongBuffer.wrap(mask),
                    new long[] {1, n}));
            inputs.put("position_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(positions),
                    new long[] {1, n}));
            int layers = Qwen3Fixture.REFERENCE.at("/config/num_hidden_layers").asInt();
            for (int layer = 0; layer < layers; layer++) {
                for (String kind : List.of("key", "value")) {
                    inputs.put("past_key_values." + layer + "." + kind, OnnxTensor.createTensor(environment,
                            FloatBuffer.allocate(0), new long[] {1, 2, 0, 8}));
                }
            }
            try (OrtSession.Result result = model.session().run(inputs, Set.of("logits"))) {
                FloatBuffer flat = ((OnnxTensor) result.get("logits").orElseThrow()).getFloatBuffer();
                float[][] rows = new float[n][flat.remaining() / n];
                for (float[] row : rows) {
                    flat.get(row);
                }
                return rows;
            }
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Test
    void aFloat64CacheIsRefused() throws IOException {
        Path folder = folder("double-cache", Map.of("model.onnx", ExportVariants.doubleCache(torchProto)));
        assertThatThrownBy(() -> load(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model.onnx")
                .hasMessageContaining("only fp32 and fp16 caches are supported, past_key_values are DOUBLE");
    }

    @Test
    void aPairWhoseFirstPassGraphHasPastInputsIsRefused() throws IOException {
        Path folder = folder("pair-with-past-twice", Map.of(HuggingFaceOnnxModel.NO_PAST_FILE, torchProto,
                HuggingFaceOnnxModel.WITH_PAST_FILE, torchProto));
        assertThatThrownBy(() -> load(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("decoder_model.onnx")
                .hasMessageContaining("the prefill graph must have no past inputs, has 'past_key_values.0.");
    }

    @Test
    void aDecoderWithoutPastAsTheOnlyGraphIsRefused() throws IOException {
        Path folder = folder("no-past-as-model", Map.of("model.onnx", ExportVariants.withoutPast(torchProto)));
        assertThatThrownBy(() -> load(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model.onnx").hasMessageContaining("it has no past_key_values.N.key inputs");
    }

    /** Greedy ids identical to the reference on every conversation, log-probs and teacher forcing within tolerance. */
    private static void assertDecodesAsTheTorchExport(Path folder, double tolerance) {
        try (HuggingFaceOnnxModel model = load(folder)) {
            for (Qwen3Fixture.Rendering rendering : Qwen3Fixture.renderings()) {
                JsonNode greedy = rendering.node().get("greedy");
                int[] expectedIds = Qwen3Fixture.ints(greedy.get("ids_with_cache"));
                double[] expectedLogProbs = Qwen3Fixture.doubles(greedy.get("logprobs_with_cache"));
                // Two rows: the prompt's cache is copied to both, so the copy of each cache type is checked too.
                List<Generation> rows = model.generate(rendering.text(), 2,
                        GenerationOptions.greedy(expectedIds.length));
                for (Generation generation : rows) {
                    assertThat(generation.tokenIds()).as(folder + " " + rendering).containsExactly(expectedIds);
                    for (int i = 0; i < expectedLogProbs.length; i++) {
                        assertThat((double) generation.tokenLogProbs()[i]).as(rendering + " step " + i)
                                .isCloseTo(expectedLogProbs[i], within(tolerance));
                    }
                }
            }
            JsonNode forcing = Qwen3Fixture.REFERENCE.get("teacher_forcing");
            String prompt = forcedPrompt(model, forcing);
            for (JsonNode continuation : forcing.get("continuations")) {
                float[] logProbs = model.continuationLogProbs(prompt, continuation.get("text").asText());
                double sum = 0;
                for (float logProb : logProbs) {
                    sum += logProb;
                }
                assertThat(sum).as(folder + " " + continuation.get("text"))
                        .isCloseTo(continuation.get("sum_logprob").asDouble(), within(tolerance * logProbs.length));
            }
        }
    }

    /** The teacher-forcing reference's prompt: its conversation rendered with enable_thinking false. */
    private static String forcedPrompt(HuggingFaceOnnxModel model, JsonNode forcing) {
        return model.formatChat(Qwen3Fixture.renderings().stream()
                .filter(r -> r.conversation().equals(forcing.get("conversation").asText())).findFirst()
                .orElseThrow().messages(), true, Map.of("enable_thinking", false));
    }

    private static HuggingFaceOnnxModel load(Path folder) {
        return HuggingFaceOnnxModel.builder().folder(folder).sessionFactory(factory).build();
    }

    private static Path folder(String name, Map<String, ModelProto> graphs) throws IOException {
        Path folder = Files.createDirectories(root.resolve(name));
        for (String file : FILES) {
            Files.copy(Qwen3Fixture.FOLDER.resolve(file), folder.resolve(file));
        }
        for (Map.Entry<String, ModelProto> graph : graphs.entrySet()) {
            ExportVariants.write(graph.getValue(), folder.resolve(graph.getKey()));
        }
        return folder;
    }
}
