package dev.reasoningsdk.impl.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.Usage;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class OptimizerBuildersTest {

    private static void refused(ThrowingCallable setter, String message) {
        assertThatThrownBy(setter).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void everySetterRefusesABadValueAtOnceNamingTheOptionAndTheValue() {
        refused(() -> SimulatedAnnealing.builder().maxTemperature(0), "maxTemperature must be finite and > 0, was 0.0");
        refused(() -> SimulatedAnnealing.builder().cooling(Double.POSITIVE_INFINITY),
                "cooling must be finite and > 0, was Infinity");
        refused(() -> GeneticAlgorithm.builder().tournament(0), "tournament must be >= 1, was 0");
        refused(() -> GeneticAlgorithm.builder().population(-2), "population must be >= 1, was -2");
        refused(() -> GeneticAlgorithmWithCrossover.builder().mutation(1.5), "mutation must be in [0, 1], was 1.5");
        refused(() -> GeneticAlgorithmWithCrossover.builder().offspring(-1), "offspring must be >= 0, was -1");
        refused(() -> TabuSearch.builder().tabuSize(0), "tabuSize must be >= 1, was 0");
        refused(() -> TabuSearch.builder().tabuPass(Double.NaN), "tabuPass must be in [0, 1], was NaN");
        refused(() -> HarmonySearch.builder().memory(0), "memory must be >= 1, was 0");
        refused(() -> HarmonySearch.builder().segments(0), "segments must be >= 1, was 0");
        refused(() -> HarmonySearch.builder().hmcr(-0.1), "hmcr must be in [0, 1], was -0.1");
        refused(() -> HarmonySearch.builder().par(2), "par must be in [0, 1], was 2.0");
        refused(() -> RunOptions.builder().checkpointEvery(0), "checkpointEvery must be >= 1, was 0");
        refused(() -> SearchSettings.builder().maxCalls(0), "maxCalls must be >= 1, was 0");
        refused(() -> SearchSettings.builder().deadline(Duration.ZERO), "deadline must be positive, was PT0S");
        assertThatThrownBy(() -> HillClimbing.builder().settings(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("settings");
    }

    @Test
    void theSearchBudgetsAreNamedAsTheSamplersAndGatewaysAreAndTheOldNamesStillWork() {
        SearchSettings set = SearchSettings.builder().maxCalls(30).deadline(Duration.ofMinutes(2)).build();
        assertThat(set.maxCalls()).isEqualTo(30);
        assertThat(set.deadline()).contains(Duration.ofMinutes(2));
        assertThat(SearchSettings.create().deadline()).isEmpty();
        assertThat(SearchSettings.create().maxCalls()).isEqualTo(Long.MAX_VALUE);

        @SuppressWarnings("removal")
        SearchSettings old = SearchSettings.builder().maxModelCalls(30).maxWallTime(Duration.ofMinutes(2)).build();
        assertThat(old.maxCalls()).isEqualTo(30);
        assertThat(old.deadline()).contains(Duration.ofMinutes(2));
    }

    @Test
    void theBuiltOptimizerUsesWhatWasSetAndPlumsDefaultsOtherwise() {
        SearchSettings settings = SearchSettings.builder().seed(5).build();

        SimulatedAnnealing annealing = SimulatedAnnealing.builder().settings(settings).maxTemperature(4).cooling(2)
                .build();

        assertThat(annealing.settings()).isSameAs(settings);
        assertThat(annealing.temperature(2)).isCloseTo(4 * Math.exp(-1), Offset.offset(1e-12));
        assertThat(SimulatedAnnealing.create().temperature(0)).isEqualTo(SimulatedAnnealing.DEFAULT_MAX_TEMPERATURE);
        assertThat(TabuSearch.create().settings().seed()).isEqualTo(SearchSettings.DEFAULT_SEED);
        assertThat(RunOptions.create().checkpoint()).isEmpty();
        assertThat(RunOptions.create().checkpointEvery()).isEqualTo(1);
    }

    @Test
    void theClassificationObjectiveRefusesBadLabelsAtTheSetterAndAMissingSettingAtBuild() {
        PromptClassifier classifier = prompt -> new PromptClassifier.Predictions(List.of("a", "b"), Usage.NONE);

        refused(() -> ClassificationObjective.builder().labels(List.of("a")),
                "labels must hold at least two labels, was [a]");
        refused(() -> ClassificationObjective.builder().gold(List.of()),
                "gold is empty: the dev set needs at least one labelled input");
        refused(() -> ClassificationObjective.builder().labels(List.of("a", "b")).gold(List.of("a", "c"))
                .classifier(classifier).build(), "gold label 'c' is not in labels [a, b]");
        assertThatThrownBy(() -> ClassificationObjective.builder().labels(List.of("a", "b")).build())
                .isInstanceOf(IllegalStateException.class);
        assertThat(ClassificationObjective.builder().labels(List.of("a", "b")).gold(List.of("a", "b"))
                .classifier(classifier).build().evaluate("p").score())
                .isEqualTo(ClassificationObjective.score(List.of("a", "b"), List.of("a", "b"), List.of("a", "b")));
    }
}
