package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.model.TokenLogProb;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded tiny reasoner against the figures its README and eval file record. */
class TinyReasonerTest {

    private static HuggingFaceOnnxModel model;
    private static List<JsonNode> problems;

    @BeforeAll
    static void load() throws IOException {
        model = TinyReasoner.builder().executionProvider(ExecutionProvider.CPU).intraOpThreads(1).build();
        problems = evalSample();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** The 18 eval problems embedded beside the model (per step count: two the model solves greedily, one not). */
    static List<JsonNode> evalSample() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> rows = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(TinyReasoner.class.getResourceAsStream(
                "/dev/reasoningsdk/models/tiny-reasoner/eval-sample.jsonl"), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                rows.add(json.readTree(line));
            }
        }
        return rows;
    }

    private static List<JsonNode> onePerStepCount() {
        List<JsonNode> picked = new ArrayList<>();
        for (int steps = 1; steps <= 6; steps++) {
            int wanted = steps;
            // The wrong ones are the interesting check of exactness: a decoding bug rarely reproduces a wrong chain.
            problems.stream().filter(p -> p.get("steps").asInt() == wanted
                            && p.get("model_greedy_answer").asInt() != p.get("answer").asInt())
                    .findFirst().ifPresent(picked::add);
        }
        return picked;
    }

    @Test
    void greedyDecodingReproducesTheEvalGreedyTextsExactly() {
        List<JsonNode> picked = onePerStepCount();
        picked.add(problems.get(problems.size() - 1));
        assertThat(picked).hasSize(7);
        for (JsonNode problem : picked) {
            Generation greedy = model.generate(problem.get("prompt").asText(), 1, GenerationOptions.greedy(320))
                    .get(0);
            assertThat(greedy.text()).as("problem %s", problem.get("id"))
                    .isEqualTo(problem.get("model_greedy_text").asText());
            assertThat(greedy.finishReason()).isEqualTo(Generation.FinishReason.END_OF_SEQUENCE);
            assertThat(greedy.promptTokens()).isEqualTo(problem.get("prompt").asText().length() + 1);
        }
    }

    @Test
    void decodingThroughTheFoldersCachedGraphGivesTheTrainedGraphsScoresWithin1e4() {
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(1);
             OnnxModelSession session = factory.open(ModelSource.classpath(TinyReasoner.TRAINED_MODEL_RESOURCE))) {
            FullSequenceModel trained = new FullSequenceModel(session, 99, 0);
            for (JsonNode problem : onePerStepCount().subList(2, 6)) {
                String prompt = problem.get("prompt").asText();
                Generation greedy = model.generate(prompt, 1, GenerationOptions.greedy(320)).get(0);
                int[] promptIds = model.encode(prompt);
                int[] ids = java.util.stream.IntStream.concat(java.util.Arrays.stream(promptIds),
                        java.util.Arrays.stream(greedy.tokenIds())).toArray();
                float[] reference = trained.forward(new int[][] {ids}, FullSequenceModel.LOGITS);
                for (int i = 0; i < greedy.tokenIds().length; i++) {
                    float expected = TokenSampler.logProbability(reference, (promptIds.length - 1 + i) * 99, 99,
                            greedy.tokenIds()[i]);
                    assertThat(greedy.tokenLogProbs()[i]).as("token %d of problem %s", i, problem.get("id"))
                            .isCloseTo(expected, within(1e-4f));
                }
            }
        }
    }

    @Test
    void seededSamplingIsReproducibleAndEachRowFollowsItsOwnSeed() {
        String prompt = problems.get(problems.size() - 1).get("prompt").asText();
        GenerationOptions options = new GenerationOptions(1.0, 0.95, 40, 320, 42);
        List<Generation> first = model.generate(prompt, 6, options);
        List<Generation> second = model.generate(prompt, 6, options);
        assertThat(texts(second)).isEqualTo(texts(first));
        assertThat(texts(first).stream().distinct().count()).as("six samples at T=1 of a 6-step problem").isGreaterThan(1);
        List<Generation> shifted = model.generate(prompt, 2, new GenerationOptions(1.0, 0.95, 40, 320, 45));
        assertThat(shifted.get(0).text()).isEqualTo(first.get(3).text());
        assertThat(shifted.get(1).text()).isEqualTo(first.get(4).text());
    }

    @Test
    void largeCountsRunInChunksWithoutChangingAnyRowsSeed() {
        String prompt = problems.get(0).get("prompt").asText();
        int count = BatchedDecoding.MAX_ROWS + 2;
        List<Generation> many = model.generate(prompt, count, new GenerationOptions(1.5, 1, 0, 6, 9));
        assertThat(many).hasSize(count);
        Generation last = model.generate(prompt, 1, new GenerationOptions(1.5, 1, 0, 6, 9 + count - 1)).get(0);
        assertThat(many.get(count - 1).text()).isEqualTo(last.text());
    }

    @Test
    void tokenLogProbsAreTheModelsScoresOfTheGeneratedText() {
        JsonNode problem = problems.get(4);
        String prompt = problem.get("prompt").asText();
        Generation sample = model.generate(prompt, 1, GenerationOptions.sampling(0.8, 320, 7)).get(0);
        float[] scored = model.continuationLogProbs(prompt, sample.text());
        float[] sampled = sample.tokenLogProbs();
        assertThat(scored).hasSize(sample.tokenIds().length);
        for (int i = 0; i < scored.length; i++) {
            assertThat(sampled[i]).isCloseTo(scored[i], within(1e-4f)).isLessThanOrEqualTo(0f);
        }
    }

    @Test
    void topLogProbsReportTheLikeliestTokensWithoutChangingTheSample() {
        String prompt = problems.get(2).get("prompt").asText();
        GenerationOptions plain = GenerationOptions.sampling(1.0, 320, 11);
        List<Generation> without = model.generate(prompt, 3, plain);
        List<Generation> with = model.generate(prompt, 3, plain.withTopLogProbs(5));
        assertThat(texts(with)).isEqualTo(texts(without));
        for (Generation generation : with) {
            float[] chosen = generation.tokenLogProbs();
            assertThat(generation.tokens()).hasSize(chosen.length);
            StringBuilder concatenated = new StringBuilder();
            for (int i = 0; i < chosen.length; i++) {
                TokenLogProb token = generation.tokens().get(i);
                concatenated.append(token.token());
                assertThat(token.logProb()).isEqualTo(chosen[i]);
                assertThat(token.alternatives()).hasSize(5);
                List<Double> alternatives = token.alternatives().stream().map(TokenLogProb.Alternative::logProb)
                        .toList();
                assertThat(alternatives).isSortedAccordingTo(java.util.Comparator.reverseOrder());
                assertThat(alternatives.stream().mapToDouble(Math::exp).sum()).isLessThanOrEqualTo(1 + 1e-5);
                // The chosen token is among the five or less likely than all of them.
                token.alternatives().stream().filter(a -> a.token().equals(token.token())).findFirst()
                        .ifPresentOrElse(a -> assertThat(a.logProb()).isEqualTo(token.logProb()),
                                () -> assertThat(token.logProb()).isLessThanOrEqualTo(alternatives.get(4)));
            }
            assertThat(concatenated.toString()).isEqualTo(generation.text());
        }
        assertThat(without.get(0).tokens()).allSatisfy(t -> assertThat(t.alternatives()).isEmpty());
        // At the first position, the alternatives are the full model's scores of those one-character continuations.
        for (TokenLogProb.Alternative alternative : with.get(0).tokens().get(0).alternatives()) {
            if (alternative.token().length() == 1) {
                assertThat(alternative.logProb()).isCloseTo(
                        model.continuationLogProbs(prompt, alternative.token())[0], within(1e-4));
            }
        }
    }

    @Test
    void greedyDecodingPicksTheFirstAlternativeEveryStep() {
        Generation greedy = model.generate(problems.get(0).get("prompt").asText(), 1,
                GenerationOptions.greedy(40).withTopLogProbs(3)).get(0);
        assertThat(greedy.tokens()).isNotEmpty().allSatisfy(token -> {
            assertThat(token.alternatives().get(0).token()).isEqualTo(token.token());
            assertThat(token.alternatives().get(0).logProb()).isEqualTo(token.logProb());
        });
    }

    @Test
    void maxNewTokensStopsEveryRow() {
        List<Generation> short4 = model.generate(problems.get(0).get("prompt").asText(), 3,
                GenerationOptions.sampling(0.8, 4, 1));
        assertThat(short4).allSatisfy(g -> {
            assertThat(g.tokenIds()).hasSize(4);
            assertThat(g.finishReason()).isEqualTo(Generation.FinishReason.MAX_NEW_TOKENS);
        });
    }

    @Test
    void promptHiddenStatesOfABatchEqualThoseOfSinglePrompts() {
        List<String> prompts = problems.subList(0, 5).stream().map(p -> p.get("prompt").asText()).toList();
        List<float[]> batch = model.promptHiddenStates(prompts);
        assertThat(batch).hasSize(5);
        for (int i = 0; i < prompts.size(); i++) {
            float[] single = model.promptHiddenState(prompts.get(i));
            assertThat(single).hasSize(224);
            assertThat(batch.get(i)).containsExactly(single, within(1e-5f));
        }
        assertThat(batch.get(0)).isNotEqualTo(batch.get(1));
    }

    @Test
    void badPromptsAreRejectedWithTheReason() {
        assertThatThrownBy(() -> model.generate("Q: Zoë has 3 apples.\nA:", 1, GenerationOptions.greedy(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot encode");
        assertThatThrownBy(() -> model.generate("x".repeat(319), 1, GenerationOptions.greedy(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("320");
        assertThat(model.generate("x".repeat(318), 1, GenerationOptions.greedy(10)).get(0).finishReason())
                .isEqualTo(Generation.FinishReason.CONTEXT_LENGTH);
    }

    @Test
    void describesItself() {
        assertThat(model.modelId()).isEqualTo("tiny-reasoner@1");
        assertThat(model.contextLength()).isEqualTo(320);
        assertThat(model.providerUsed()).isEqualTo("CPU");
        assertThat(TinyReasoner.prompt("How many?")).isEqualTo("Q: How many?\nA:");
    }

    private static List<String> texts(List<Generation> generations) {
        return generations.stream().map(Generation::text).toList();
    }

    @Test
    void aShortAndALongPromptNearTheContextEachDrawWhatTheyDrawAlone() {
        String shortPrompt = model.formatPrompt("Ana has 7 shells. She sells 4. How many shells does she have now?");
        String longPrompt = model.formatPrompt("Ana has 7 shells. She sells 4. ".repeat(9) + "How many shells now?");
        assertThat(model.encode(longPrompt).length).isBetween(295, 315);
        // A hot temperature keeps rows from ending early, so the short prompt's rows run past what the long prompt
        // leaves of the context: together in one padded batch they would need more positions than it has.
        GenerationOptions options = GenerationOptions.sampling(3.0, 100, 7);
        List<List<Generation>> together = model.generate(List.of(shortPrompt, longPrompt), 3, options);
        assertThat(together.get(0).stream().mapToInt(g -> g.tokenIds().length).max().orElseThrow())
                .as("the short prompt generated past what the long one leaves")
                .isGreaterThan(model.contextLength() - model.encode(longPrompt).length);
        List<String> prompts = List.of(shortPrompt, longPrompt);
        for (int p = 0; p < 2; p++) {
            List<Generation> alone = model.generate(prompts.get(p), 3, options.withSeed(options.seed() + p));
            for (int row = 0; row < 3; row++) {
                assertThat(together.get(p).get(row).tokenIds()).as("prompt %d row %d", p, row)
                        .containsExactly(alone.get(row).tokenIds());
            }
        }
    }

    @Test
    void promptsThatWouldOverrunTheContextOncePaddedGoToSeparateBatches() {
        List<int[]> prompts = List.of(new int[10], new int[300], new int[20], new int[30]);
        // 10 + 100 fits; with 300 the padded batch would need 300 + 100.
        assertThat(BatchedDecoding.batchEnd(prompts, 0, 64, 100, 320)).isEqualTo(1);
        assertThat(BatchedDecoding.batchEnd(prompts, 1, 64, 100, 320)).isEqualTo(2);
        assertThat(BatchedDecoding.batchEnd(prompts, 2, 64, 100, 320)).isEqualTo(4);
        assertThat(BatchedDecoding.batchEnd(prompts, 2, 1, 100, 320)).isEqualTo(3);
        // Far from the context every prompt shares one batch.
        assertThat(BatchedDecoding.batchEnd(prompts, 0, 64, 10, 320)).isEqualTo(4);
    }
}
