package dev.reasoningsdk.impl.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.prompt.OptimizationResult;
import dev.reasoningsdk.api.prompt.OptimizationStep;
import dev.reasoningsdk.api.prompt.PromptObjective;
import dev.reasoningsdk.impl.DataFileException;
import dev.reasoningsdk.impl.internal.SpecialFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MetaheuristicSearchTest {

    private static final String PROMPT = "Answer the question, noise here, with great care, noise again, "
            + "and be brief about it.";
    /** Synthetic objective: each "noise" costs 10 points, "brief" earns 5, shorter is slightly better. */
    private static final PromptObjective OBJECTIVE = PromptObjective.of(prompt -> {
        int noise = prompt.split("noise", -1).length - 1;
        return 50 - 10 * noise + (prompt.contains("brief") ? 5 : 0) - 0.01 * prompt.length();
    });
    private static final Paraphraser FAKE = unit -> new Paraphraser.Paraphrases(
            List.of(unit.replace("great", "much")), Usage.NONE);

    static SearchSettings settings() {
        return SearchSettings.builder().paraphraser(FAKE).maxIterations(30).patience(8).maxEvaluations(200)
                .seed(7).build();
    }

    static Stream<Function<SearchSettings, MetaheuristicOptimizer>> algorithms() {
        return Stream.of(settings -> HillClimbing.builder().settings(settings).build(),
                settings -> SimulatedAnnealing.builder().settings(settings).build(),
                settings -> GeneticAlgorithm.builder().settings(settings).build(),
                settings -> GeneticAlgorithmWithCrossover.builder().settings(settings).build(),
                settings -> TabuSearch.builder().settings(settings).build(),
                settings -> HarmonySearch.builder().settings(settings).build());
    }

    @ParameterizedTest
    @MethodSource("algorithms")
    void everyAlgorithmImprovesASyntheticObjective(Function<SearchSettings, MetaheuristicOptimizer> factory) {
        OptimizationResult result = factory.apply(settings()).optimize(PROMPT, OBJECTIVE);
        assertThat(result.bestScore()).isGreaterThan(result.initialScore() + 9);
        assertThat(result.evaluations()).isLessThanOrEqualTo(200);
        assertThat(result.history().get(0).edit()).isEqualTo("initial");
        assertThat(result.history()).extracting(OptimizationStep::prompt).doesNotHaveDuplicates();
    }

    @ParameterizedTest
    @MethodSource("algorithms")
    void sameSeedSameHistoryWhateverTheConcurrency(Function<SearchSettings, MetaheuristicOptimizer> factory) {
        OptimizationResult first = factory.apply(settings()).optimize(PROMPT, OBJECTIVE);
        OptimizationResult second = factory.apply(settings().toBuilder().concurrency(3).build())
                .optimize(PROMPT, OBJECTIVE);
        assertThat(second.history()).isEqualTo(first.history());
        assertThat(second.bestPrompt()).isEqualTo(first.bestPrompt());
        OptimizationResult otherSeed = factory.apply(settings().toBuilder().seed(8).build())
                .optimize(PROMPT, OBJECTIVE);
        assertThat(otherSeed.history()).isNotEqualTo(first.history());
    }

    @ParameterizedTest
    @MethodSource("algorithms")
    void aGenerationEvaluatorGivesTheInProcessHistory(Function<SearchSettings, MetaheuristicOptimizer> factory) {
        OptimizationResult inProcess = factory.apply(settings()).optimize(PROMPT, OBJECTIVE);
        java.util.List<Integer> generationSizes = new java.util.ArrayList<>();
        CandidateEvaluator batched = prompts -> {
            generationSizes.add(prompts.size());
            // Scored in reverse, as a cluster may finish them: the run must still use them in candidate order.
            java.util.List<CandidateEvaluator.Outcome> outcomes = new java.util.ArrayList<>();
            for (int i = prompts.size() - 1; i >= 0; i--) {
                outcomes.add(0, CandidateEvaluator.Outcome.of(OBJECTIVE.evaluate(prompts.get(i))));
            }
            return outcomes;
        };
        PromptObjective unused = prompt -> {
            throw new AssertionError("the evaluator scores every candidate");
        };
        OptimizationResult viaEvaluator = factory.apply(settings()).optimize(PROMPT, unused,
                RunOptions.builder().evaluator(batched).build());
        assertThat(viaEvaluator.history()).isEqualTo(inProcess.history());
        assertThat(viaEvaluator.bestPrompt()).isEqualTo(inProcess.bestPrompt());
        assertThat(viaEvaluator.evaluations()).isEqualTo(inProcess.evaluations());
        assertThat(generationSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(inProcess.evaluations());
        assertThat(generationSizes).anyMatch(size -> size > 1);
    }

    @Test
    void aFailedGenerationFailsItsCandidatesNotTheRun() {
        CandidateEvaluator failingAfterTheFirst = new CandidateEvaluator() {
            private int calls;

            @Override
            public java.util.List<Outcome> evaluate(java.util.List<String> prompts) {
                if (calls++ == 0) {
                    return java.util.List.of(Outcome.of(OBJECTIVE.evaluate(prompts.get(0))));
                }
                throw new IllegalStateException("cluster lost");
            }
        };
        OptimizationResult result = HillClimbing.builder().settings(settings().toBuilder().maxIterations(2).build())
                .build().optimize(PROMPT, OBJECTIVE, RunOptions.builder().evaluator(failingAfterTheFirst).build());
        assertThat(result.history()).hasSize(1);
        assertThat(result.failedEvaluations()).isPositive();
    }

    @Test
    void aPromptIsNeverScoredTwiceAndTheBudgetHolds() {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        AtomicInteger calls = new AtomicInteger();
        PromptObjective counting = prompt -> {
            calls.incrementAndGet();
            assertThat(seen.add(prompt)).as("scored twice: %s", prompt).isTrue();
            return OBJECTIVE.evaluate(prompt);
        };
        OptimizationResult result = HillClimbing.builder()
                .settings(settings().toBuilder().maxEvaluations(12).patience(50).build()).build()
                .optimize(PROMPT, counting);
        assertThat(result.stopReason()).isEqualTo(StopReason.EVALUATION_BUDGET);
        assertThat(result.evaluations()).isEqualTo(12).isEqualTo(calls.get());
    }

    @Test
    void theModelCallBudgetHolds() {
        PromptObjective threeCallsEach = prompt -> new PromptObjective.Evaluation(
                OBJECTIVE.evaluate(prompt).score(), new Usage(3, 3, 0, 30, 3, java.time.Duration.ZERO));
        OptimizationResult result = GeneticAlgorithm.builder()
                .settings(settings().toBuilder().maxCalls(30).build()).build()
                .optimize(PROMPT, threeCallsEach);
        assertThat(result.stopReason()).isEqualTo(StopReason.EVALUATION_BUDGET);
        assertThat(result.usage().modelCalls()).isEqualTo(30);
        assertThat(result.evaluations()).isEqualTo(10);
    }

    @Test
    void patienceStopsAFlatSearch() {
        OptimizationResult result = HillClimbing.builder().settings(settings().toBuilder().patience(3).build())
                .build().optimize(PROMPT, PromptObjective.of(prompt -> 1.0));
        assertThat(result.stopReason()).isEqualTo(StopReason.PATIENCE);
        assertThat(result.history()).extracting(OptimizationStep::iteration).allMatch(i -> i <= 3);
        assertThat(result.bestPrompt()).isEqualTo(PROMPT);
    }

    @Test
    void failedEvaluationsAreCountedAndSkipped() {
        PromptObjective flaky = prompt -> {
            if (prompt.contains("great") && !prompt.equals(PROMPT)) {
                throw new IllegalStateException("model timed out");
            }
            return OBJECTIVE.evaluate(prompt);
        };
        OptimizationResult result = HillClimbing.builder().settings(settings()).build().optimize(PROMPT, flaky);
        assertThat(result.failedEvaluations()).isPositive();
        assertThat(result.history()).noneMatch(step -> step.prompt().contains("great") && step.iteration() > 0);
    }

    @Test
    void cancellationStopsTheRun() {
        AtomicInteger events = new AtomicInteger();
        RunOptions options = RunOptions.builder().listener(progress -> events.incrementAndGet())
                .cancelled(() -> events.get() >= 4).build();
        OptimizationResult result = HillClimbing.builder().settings(settings()).build()
                .optimize(PROMPT, OBJECTIVE, options);
        assertThat(result.stopReason()).isEqualTo(StopReason.CANCELLED);
        assertThat(result.evaluations()).as("the initial prompt and the first batch at most").isLessThanOrEqualTo(6);
    }

    @Test
    void aCheckpointedRunResumesWhereItStopped(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("search.json");
        SearchSettings small = settings().toBuilder().maxEvaluations(15).patience(50).build();
        SearchSettings large = small.toBuilder().maxEvaluations(40).build();
        OptimizationResult interrupted = HarmonySearch.builder().settings(small).build().optimize(PROMPT, OBJECTIVE,
                RunOptions.builder().checkpoint(file).build());
        assertThat(interrupted.stopReason()).isEqualTo(StopReason.EVALUATION_BUDGET);
        assertThat(Files.readString(file)).contains("\"method\":\"harmony-search\"");

        List<String> called = new ArrayList<>();
        PromptObjective recording = prompt -> {
            synchronized (called) {
                called.add(prompt);
            }
            return OBJECTIVE.evaluate(prompt);
        };
        OptimizationResult resumed = HarmonySearch.builder().settings(large).build().optimize(PROMPT, recording,
                RunOptions.builder().checkpoint(file).build());
        OptimizationResult uninterrupted = HarmonySearch.builder().settings(large).build()
                .optimize(PROMPT, OBJECTIVE);
        assertThat(resumed.history()).isEqualTo(uninterrupted.history());
        assertThat(called).hasSize(25);
        Set<String> first = new HashSet<>(interrupted.history().stream().map(OptimizationStep::prompt).toList());
        assertThat(called).noneMatch(first::contains);

        assertThatThrownBy(() -> HillClimbing.builder().settings(large).build().optimize(PROMPT, OBJECTIVE,
                RunOptions.builder().checkpoint(file).build())).isInstanceOf(IllegalStateException.class);
    }

    /** A checkpoint path that is a FIFO used to block the search on its first read, before any evaluation. */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aCheckpointThatIsAFifoIsRefusedNotWaitedOn(@TempDir Path dir) throws Exception {
        Path fifo = SpecialFiles.fifoOrSkip(dir.resolve("search.json"));
        assertThatThrownBy(() -> HillClimbing.builder().settings(settings()).build().optimize(PROMPT, OBJECTIVE,
                RunOptions.builder().checkpoint(fifo).build())).isInstanceOf(DataFileException.class)
                .hasMessageContaining("not a regular file");
    }

    @Test
    void rejectsAPromptWithoutLetters() {
        assertThatThrownBy(() -> HillClimbing.create().optimize("1 2 3", OBJECTIVE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no letter");
    }

    @Test
    void simulatedAnnealingFollowsPlumsSchedule() {
        SimulatedAnnealing annealing = SimulatedAnnealing.create();
        assertThat(annealing.temperature(0)).isEqualTo(10.0);
        assertThat(annealing.temperature(5)).isCloseTo(10 * Math.exp(-1), org.assertj.core.data.Offset.offset(1e-12));
    }
}
