package dev.reasoningsdk.impl.onnx.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.onnx.GenerationCancellation;
import dev.reasoningsdk.impl.onnx.OnnxSessionFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The qwen3-tiny-random export folder loaded as a local model, against its {@code reference.json}: chat-template
 * renderings (jinja2), prompt ids (an independent tokenizer), greedy ids and per-token log-probabilities with the KV
 * cache, teacher-forced continuation log-probabilities (PyTorch, float32), and prompts of different lengths decoded
 * in one left-padded batch ({@code batched_left_padded}, and each prompt's unbatched greedy reference).
 */
class HuggingFaceOnnxModelTest {

    /** Log-probabilities from ONNX Runtime against PyTorch's; the fixture measured 1e-5 with onnxruntime-node. */
    private static final double LOG_PROB_TOLERANCE = 1e-3;

    private static OnnxSessionFactory factory;
    private static HuggingFaceOnnxModel model;

    @BeforeAll
    static void load() {
        factory = OnnxSessionFactory.cpu(1);
        model = HuggingFaceOnnxModel.builder().folder(Qwen3Fixture.FOLDER).sessionFactory(factory).build();
    }

    @AfterAll
    static void close() {
        model.close();
        factory.close();
    }

    @Test
    void readsTheConfigs() {
        assertThat(model.modelType()).isEqualTo("qwen3");
        assertThat(model.contextLength()).isEqualTo(1024);
        assertThat(model.endTokenIds()).containsExactly(151645, 151643);
        assertThat(model.modelId()).isEqualTo("qwen3-tiny-random");
        assertThat(model.defaultOptions(5, 7)).isEqualTo(new GenerationOptions(0.6, 0.95, 20, 5, 7));
        assertThat(model.chatTemplate().specialTokens()).containsEntry("eos_token", "<|im_end|>")
                .containsEntry("pad_token", "<|endoftext|>").doesNotContainKey("bos_token");
    }

    @Test
    void toStringNamesTheModelItsTypeTheFolderAndTheProvider() {
        assertThat(model.toString()).isEqualTo("HuggingFaceOnnxModel[qwen3-tiny-random (qwen3) from "
                + Qwen3Fixture.FOLDER + " on CPU]");
    }

    @Test
    void everyRenderingAndItsPromptIdsMatchTheReference() {
        for (Qwen3Fixture.Rendering rendering : Qwen3Fixture.renderings()) {
            String prompt = model.formatChat(rendering.messages(), true, rendering.variables());
            assertThat(prompt).as(rendering.toString()).isEqualTo(rendering.text());
            assertThat(model.encode(prompt)).as(rendering.toString()).containsExactly(rendering.inputIds());
        }
    }

    @Test
    void formatPromptIsTheTemplateWithOneUserMessage() {
        Qwen3Fixture.Rendering arithmetic = Qwen3Fixture.renderings().stream()
                .filter(r -> r.conversation().equals("arithmetic") && r.variables().isEmpty()).findFirst()
                .orElseThrow();
        assertThat(arithmetic.messages()).hasSize(1);
        assertThat(model.formatPrompt(arithmetic.messages().get(0).content())).isEqualTo(arithmetic.text());
    }

    @Test
    void greedyIdsAndLogProbsMatchPyTorchWithTheCache() {
        for (Qwen3Fixture.Rendering rendering : Qwen3Fixture.renderings()) {
            JsonNode greedy = rendering.node().get("greedy");
            int[] expectedIds = Qwen3Fixture.ints(greedy.get("ids_with_cache"));
            double[] expectedLogProbs = Qwen3Fixture.doubles(greedy.get("logprobs_with_cache"));
            Generation generation = model.generate(rendering.text(), 1,
                    GenerationOptions.greedy(expectedIds.length)).get(0);
            assertThat(generation.tokenIds()).as(rendering.toString()).containsExactly(expectedIds);
            assertThat(generation.promptTokens()).isEqualTo(rendering.inputIds().length);
            assertThat(generation.finishReason()).isEqualTo(Generation.FinishReason.MAX_NEW_TOKENS);
            float[] logProbs = generation.tokenLogProbs();
            for (int i = 0; i < expectedLogProbs.length; i++) {
                assertThat((double) logProbs[i]).as(rendering + " step " + i)
                        .isCloseTo(expectedLogProbs[i], within(LOG_PROB_TOLERANCE));
            }
            assertThat(generation.text()).isEqualTo(greedy.get("text").asText());
        }
    }

    @Test
    void teacherForcedContinuationsMatchPyTorch() {
        JsonNode forcing = Qwen3Fixture.REFERENCE.get("teacher_forcing");
        Qwen3Fixture.Rendering rendering = Qwen3Fixture.renderings().stream()
                .filter(r -> r.conversation().equals(forcing.get("conversation").asText())
                        && r.variables().equals(Map.of("enable_thinking", false))).findFirst().orElseThrow();
        assertThat(model.encode(rendering.text())).containsExactly(Qwen3Fixture.ints(forcing.get("prompt_ids")));
        for (JsonNode continuation : forcing.get("continuations")) {
            float[] logProbs = model.continuationLogProbs(rendering.text(), continuation.get("text").asText());
            double[] expected = Qwen3Fixture.doubles(continuation.get("token_logprobs"));
            assertThat(logProbs).hasSize(expected.length);
            double sum = 0;
            for (int i = 0; i < expected.length; i++) {
                assertThat((double) logProbs[i]).isCloseTo(expected[i], within(LOG_PROB_TOLERANCE));
                sum += logProbs[i];
            }
            assertThat(sum).isCloseTo(continuation.get("sum_logprob").asDouble(), within(LOG_PROB_TOLERANCE));
        }
    }

    @Test
    void sampledRowsAreSeededAndStopAtAnEndToken() {
        String prompt = model.formatPrompt("Sam has 14 apples. He buys 7 more. How many apples does Sam have?");
        GenerationOptions options = model.defaultOptions(24, 11);
        List<Generation> batch = model.generate(prompt, 3, options);
        List<Generation> again = model.generate(prompt, 3, options);
        for (int row = 0; row < 3; row++) {
            assertThat(batch.get(row).tokenIds()).containsExactly(again.get(row).tokenIds());
            assertThat(batch.get(row).tokenIds()).doesNotContain(model.endTokenIds());
        }
        assertThat(batch.get(0).tokenIds()).isNotEqualTo(batch.get(1).tokenIds());
    }

    @Test
    void decodeKeepsOrSkipsSpecialTokens() {
        int[] ids = Qwen3Fixture.renderings().get(0).inputIds();
        assertThat(model.decode(ids, false)).isEqualTo(Qwen3Fixture.renderings().get(0).text());
        assertThat(model.decode(ids, true)).doesNotContain("<|im_start|>").contains("What is the capital of France?");
    }

    @Test
    void aLeftPaddedBatchOfTwoPromptsDecodesAsPyTorchDid() {
        JsonNode batched = Qwen3Fixture.REFERENCE.get("batched_left_padded");
        List<Qwen3Fixture.Rendering> renderings = new ArrayList<>();
        for (JsonNode name : batched.get("conversations")) {
            renderings.add(Qwen3Fixture.renderings().stream()
                    .filter(r -> r.conversation().equals(name.asText()) && r.variables().isEmpty()).findFirst()
                    .orElseThrow());
        }
        // Different lengths, so one row really is padded.
        assertThat(renderings.get(0).inputIds().length).isNotEqualTo(renderings.get(1).inputIds().length);
        int steps = 12;
        List<List<Generation>> generations = model.generate(renderings.stream().map(Qwen3Fixture.Rendering::text)
                .toList(), 1, GenerationOptions.greedy(steps), GenerationCancellation.create());
        assertThat(generations).hasSize(2);
        for (int p = 0; p < 2; p++) {
            Generation generation = generations.get(p).get(0);
            int[] batchedIds = Qwen3Fixture.ints(batched.get("greedy_ids").get(p));
            assertThat(generation.tokenIds()).as("row %d", p).startsWith(batchedIds);
            JsonNode alone = renderings.get(p).node().get("greedy");
            assertThat(generation.tokenIds()).as("row %d", p)
                    .containsExactly(Qwen3Fixture.ints(alone.get("ids_with_cache")));
            assertThat(generation.promptTokens()).isEqualTo(renderings.get(p).inputIds().length);
            double[] expected = Qwen3Fixture.doubles(alone.get("logprobs_with_cache"));
            for (int i = 0; i < steps; i++) {
                assertThat((double) generation.tokenLogProbs()[i]).as("row %d step %d", p, i)
                        .isCloseTo(expected[i], within(LOG_PROB_TOLERANCE));
            }
            assertThat((double) generation.tokenLogProbs()[0]).as("row %d", p).isCloseTo(
                    batched.get("last_position").get(p).get("argmax_logprob").asDouble(),
                    within(LOG_PROB_TOLERANCE));
        }
    }

    @Test
    void eachPromptOfABatchDrawsWhatItDrawsAloneWithItsSeed() {
        List<String> prompts = List.of(model.formatPrompt("Sam has 14 apples. He buys 7 more. How many?"),
                model.formatPrompt("Hi"));
        GenerationOptions options = model.defaultOptions(10, 5).withTopLogProbs(3);
        List<List<Generation>> together = model.generate(prompts, 3, options);
        for (int p = 0; p < prompts.size(); p++) {
            List<Generation> alone = model.generate(prompts.get(p), 3, options.withSeed(options.seed() + p));
            for (int row = 0; row < 3; row++) {
                Generation batched = together.get(p).get(row);
                assertThat(batched.tokenIds()).as("prompt %d row %d", p, row)
                        .containsExactly(alone.get(row).tokenIds());
                assertThat(batched.tokens()).hasSameSizeAs(alone.get(row).tokens());
                for (int i = 0; i < batched.tokens().size(); i++) {
                    assertThat((double) batched.tokens().get(i).logProb()).isCloseTo(
                            alone.get(row).tokens().get(i).logProb(), within(LOG_PROB_TOLERANCE));
                    assertThat(batched.tokens().get(i).alternatives()).hasSize(3);
                }
            }
        }
    }

    @Test
    void aCacheOverTheLimitIsRefusedWithTheNumbers() {
        try (HuggingFaceOnnxModel small = HuggingFaceOnnxModel.builder().folder(Qwen3Fixture.FOLDER)
                .sessionFactory(factory).maxCacheBytes(100_000).build()) {
            String prompt = small.formatPrompt("Hi");
            int promptTokens = small.encode(prompt).length;
            // 512 bytes per token and row (2 layers, 2 KV heads of 8 fp32, keys and values, held twice).
            assertThatThrownBy(() -> small.generate(prompt, 8, GenerationOptions.greedy(40)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("8 rows x " + (promptTokens + 40) + " tokens needs "
                            + 512L * 8 * (promptTokens + 40) + " bytes")
                    .hasMessageContaining("maxCacheBytes 100000");
            assertThat(small.generate(prompt, 1, GenerationOptions.greedy(40))).hasSize(1);
        }
        assertThatThrownBy(() -> HuggingFaceOnnxModel.builder().maxCacheBytes(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 0");
    }
}
