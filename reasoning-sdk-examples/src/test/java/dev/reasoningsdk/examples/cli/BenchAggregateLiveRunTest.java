package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.api.ModelRunException;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.aggregate.ProcessReward;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.aggregate.AggregationOfReasoning;
import dev.reasoningsdk.impl.aggregate.ArithmeticVerifier;
import dev.reasoningsdk.impl.aggregate.StepSearch;
import dev.reasoningsdk.impl.llm.LocalModelSampler;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/** {@code bench aggregate --live}'s loop on the tiny reasoner: what it reports, and where a part of it fails. */
class BenchAggregateLiveRunTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eachStepSearchReportsTheSettingsItRanWithAndTheNotesSayTheSame() throws IOException {
        JsonNode problem = JSON.readTree("{\"question\": \"Ana starts with 7 shells. She sells 4. How many shells "
                + "does she have now?\", \"steps\": 1, \"answer\": 3}");
        try (HuggingFaceOnnxModel model = TinyReasoner.create()) {
            Map<String, StepSearch> searches = new LinkedHashMap<>();
            searches.put("best_first", StepSearchSettings.bestFirst(model, 12, 200));
            // Not the bench's MCTS: the notes used to state its defaults (4, 8, 2 and 1) whatever ran.
            searches.put("mcts", StepSearch.builder().model(model).strategy(StepSearch.Strategy.MCTS)
                    .maxExpansionsPerStep(3).samples(5).agreement(3).explorationConstant(2).stepTokens(12)
                    .maxTokens(200).build());
            BenchAggregateCommand.LiveRun run = new BenchAggregateCommand().liveRun(List.of(problem),
                    LocalModelSampler.builder().model(model).temperature(0.8).build(), Map.of(),
                    new BenchAggregateCommand.LiveSearches(searches, Map.of(), ""), () -> false);
            JsonNode report = JSON.valueToTree(run.report(model.modelId(), List.of()).figures());

            JsonNode mcts = report.at("/step_search/mcts/settings");
            assertThat(mcts.path("strategy").asText()).isEqualTo("mcts");
            assertThat(mcts.path("max_expansions_per_step").asInt()).isEqualTo(3);
            assertThat(mcts.path("samples").asInt()).isEqualTo(5);
            assertThat(mcts.path("agreement").asInt()).isEqualTo(3);
            assertThat(mcts.path("exploration_constant").asDouble()).isEqualTo(2.0);
            assertThat(mcts.path("step_tokens").asInt()).isEqualTo(12);
            assertThat(mcts.has("max_restarts")).as("a setting MCTS does not read").isFalse();
            JsonNode bestFirst = report.at("/step_search/best_first/settings");
            assertThat(bestFirst.path("max_expansions_per_step").asInt())
                    .isEqualTo(StepSearchSettings.BEST_FIRST_MAX_EXPANSIONS);
            assertThat(bestFirst.path("max_restarts").asInt()).isEqualTo(StepSearchSettings.BEST_FIRST_MAX_RESTARTS);
            assertThat(bestFirst.path("max_tokens").asLong()).isEqualTo(200);
            // The figures beside the settings are unchanged.
            assertThat(report.at("/step_search/mcts/accuracy").isNumber()).isTrue();
            assertThat(report.at("/by_step_count/5_steps/step_search/mcts/settings").isMissingNode()).isTrue();
            assertThat(report.path("notes").asText()).contains("12 tokens per expansion, budget 200 generated tokens",
                    "seed 0", "exploration constant 2.0", "up to 3 per chain", "until 3 chains without a rejected "
                            + "step agree or 5 are finished", "each chain expanded at most "
                            + StepSearchSettings.BEST_FIRST_MAX_EXPANSIONS + " times", "aor: the issue's defaults ("
                            + AggregationOfReasoning.DEFAULT_INITIAL_SAMPLES + " initial samples, +"
                            + AggregationOfReasoning.DEFAULT_ADDITIONAL_SAMPLES + " while the margin is under 2, at "
                            + "most " + AggregationOfReasoning.DEFAULT_MAX_SAMPLES + ")");
        }
    }

    @Test
    void aStepCountNoSelectedProblemHasReportsEveryAorScorerAsNaNLikeTheOtherMethods() throws IOException {
        JsonNode problem = JSON.readTree("{\"question\": \"Ana starts with 7 shells. She sells 4. How many shells "
                + "does she have now?\", \"steps\": 1, \"answer\": 3}");
        try (HuggingFaceOnnxModel model = TinyReasoner.create()) {
            Map<String, ChainScorer> scorers = Map.of("verifier",
                    ArithmeticVerifier.builder().wholeNumberAnswers(true).build());
            BenchAggregateCommand.LiveRun run = new BenchAggregateCommand().liveRun(List.of(problem),
                    LocalModelSampler.builder().model(model).temperature(0.8).build(), scorers,
                    new BenchAggregateCommand.LiveSearches(Map.of(), Map.of(), ""), () -> false);
            JsonNode report = JSON.valueToTree(run.report(model.modelId(), scorers.keySet()).figures());

            assertThat(report.at("/aor_lean/verifier/accuracy").asDouble()).isBetween(0.0, 1.0);
            // No selected problem has 5 steps: the scorer is named with NaN figures, as majority@k is; it was an
            // empty object, which a reader could not tell from a run without that scorer.
            JsonNode fiveSteps = report.at("/by_step_count/5_steps");
            assertThat(fiveSteps.path("n_problems").asInt()).isZero();
            assertThat(fiveSteps.at("/majority_at_k/1/accuracy").asDouble()).isNaN();
            assertThat(fiveSteps.at("/aor_lean/verifier/accuracy").asDouble()).isNaN();
            assertThat(fiveSteps.at("/aor_lean/verifier/generated_tokens").asDouble()).isNaN();
        }
    }

    @Test
    void aStepSearchThatFailsFailsTheRunRatherThanBeingReportedAsNeedingTokenUsage() throws IOException {
        JsonNode problem = new ObjectMapper().readTree("{\"question\": \"Ana starts with 7 shells. She sells 4. How "
                + "many shells does she have now?\", \"steps\": 1, \"answer\": 3}");
        // A learned reward whose forward pass failed, as ONNX Runtime reports it.
        ProcessReward failing = new ProcessReward() {
            @Override
            public double scoreStep(String question, List<String> steps, boolean complete) {
                throw new ModelRunException("tiny-reasoner: the reward's forward pass failed",
                        new IllegalStateException("out of memory"));
            }

            @Override
            public String name() {
                return "failing";
            }
        };
        try (HuggingFaceOnnxModel model = TinyReasoner.create()) {
            StepSearch search = StepSearch.builder().model(model).reward(failing).build();
            BenchAggregateCommand.LiveSearches searches = new BenchAggregateCommand.LiveSearches(
                    Map.of("failing", search), Map.of(), "");

            assertThatThrownBy(() -> new BenchAggregateCommand().liveRun(List.of(problem),
                    LocalModelSampler.builder().model(model).temperature(0.8).build(), Map.of(), searches,
                    () -> false)).isInstanceOf(ModelRunException.class).hasMessageContaining("forward pass failed");
        }
    }

    private static final JsonNode SHELLS = JSON.createObjectNode().put("question", "Ana starts with 7 shells. She "
            + "sells 4. How many shells does she have now?").put("steps", 1).put("answer", 3);

    /**
     * A sampler whose sample {@code i} is cut off at the token limit where {@code cutOff} says so: a finished chain
     * costs 10 generated tokens, a cut-off one 100 (a reasoning model that ran out).
     */
    private static ChainSampler scripted(IntPredicate cutOff) {
        return new ChainSampler() {
            @Override
            public SampleBatch sample(String prompt, int count, long firstSeed) {
                List<SampleBatch.Sample> samples = new ArrayList<>();
                List<SampleBatch.SampleFailure> failures = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    if (cutOff.test(i)) {
                        failures.add(new SampleBatch.SampleFailure(i, SampleBatch.FailureKind.TRUNCATED,
                                "cut off at the token limit", 1, 20, 100));
                    } else {
                        samples.add(new SampleBatch.Sample(i, "7 - 4 = 3. The answer is 3.", 20, 10, 1));
                    }
                }
                return new SampleBatch(count, samples, failures, StopReason.COMPLETED, new Usage(samples.size(),
                        count, 0, 20L * count, 10L * samples.size() + 100L * failures.size(), Duration.ZERO));
            }

            @Override
            public String name() {
                return "scripted";
            }
        };
    }

    /** The live report of {@code sampler} on {@link #SHELLS}, AoR judged by the arithmetic verifier. */
    private static JsonNode liveReport(ChainSampler sampler) {
        Map<String, ChainScorer> scorers = Map.of("verifier",
                ArithmeticVerifier.builder().wholeNumberAnswers(true).build());
        BenchAggregateCommand.LiveRun run = new BenchAggregateCommand().liveRun(List.of(SHELLS), sampler, scorers,
                new BenchAggregateCommand.LiveSearches(Map.of(), Map.of(), ""), () -> false);
        return JSON.valueToTree(run.report("scripted", scorers.keySet()).figures());
    }

    @Test
    void eachMethodsGeneratedTokensIncludeTheCutOffSamplesItDrew() {
        // Samples 0, 2 and 7 are cut off, then the last 10: 27 chains finish.
        JsonNode report = liveReport(scripted(i -> i == 0 || i == 2 || i == 7 || i >= 30));

        assertThat(report.path("truncated_samples").asInt()).isEqualTo(13);
        // majority@k drew up to its k-th chain and paid for the cut-off samples before it: the 1st chain is sample
        // 1, the 5th sample 6, the 10th sample 12, the 20th sample 22; only 27 finished, so @40 drew all 40.
        Map<String, double[]> samplesAndTokens = Map.of("1", new double[] {1, 100 + 10},
                "5", new double[] {5, 2 * 100 + 5 * 10}, "10", new double[] {10, 3 * 100 + 10 * 10},
                "20", new double[] {20, 3 * 100 + 20 * 10}, "40", new double[] {27, 13 * 100 + 27 * 10});
        samplesAndTokens.forEach((k, expected) -> {
            JsonNode majority = report.at("/majority_at_k/" + k);
            assertThat(majority.path("mean_samples").asDouble()).as("majority@" + k).isEqualTo(expected[0]);
            assertThat(majority.path("generated_tokens").asDouble()).as("majority@" + k).isEqualTo(expected[1]);
        });
        // The chains agree, so AoR stops after its initial samples (20, lean 5), cut-off ones among them paid for.
        assertThat(report.at("/aor/verifier/mean_samples").asDouble()).isEqualTo(17);
        assertThat(report.at("/aor/verifier/generated_tokens").asDouble()).isEqualTo(3 * 100 + 17 * 10);
        assertThat(report.at("/aor_lean/verifier/mean_samples").asDouble()).isEqualTo(3);
        assertThat(report.at("/aor_lean/verifier/generated_tokens").asDouble()).isEqualTo(2 * 100 + 3 * 10);
        assertThat(report.path("notes").asText()).contains("every sample up to its k-th chain");
    }

    @Test
    void aMethodLeftWithoutAChainStillReportsTheTokensItDrew() {
        JsonNode report = liveReport(scripted(i -> true));

        assertThat(report.path("aor_without_chains").asInt()).isEqualTo(2);
        // Every method drew all 40 samples looking for a chain (AoR: 20 then 5 at a time; lean: 5 then 5 at a time).
        for (String method : List.of("/majority_at_k/1", "/majority_at_k/40", "/aor/verifier", "/aor_lean/verifier")) {
            assertThat(report.at(method + "/mean_samples").asDouble()).as(method).isZero();
            assertThat(report.at(method + "/generated_tokens").asDouble()).as(method).isEqualTo(40 * 100);
        }
    }
}
