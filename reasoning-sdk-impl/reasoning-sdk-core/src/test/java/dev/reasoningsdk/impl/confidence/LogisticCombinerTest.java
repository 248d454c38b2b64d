package dev.reasoningsdk.impl.confidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LogisticCombinerTest {

    @Test
    void fitWeighsTheInformativeSignalAndIgnoresNoise() {
        Random random = new Random(7);
        List<Map<String, Double>> rows = new ArrayList<>();
        boolean[] correct = new boolean[400];
        for (int i = 0; i < 400; i++) {
            double agreement = random.nextDouble();
            correct[i] = random.nextDouble() < agreement;
            rows.add(Map.of("a", agreement, "noise", random.nextGaussian() * 100));
        }
        LogisticCombiner.Weights weights = LogisticCombiner.Weights.fit(rows, correct, List.of("a", "noise"), 1);
        assertThat(weights.weights()[0]).isGreaterThan(0.8);
        assertThat(Math.abs(weights.weights()[1])).isLessThan(0.3);
        assertThat(weights.score(Map.of("a", 0.95, "noise", 0.0)))
                .isGreaterThan(weights.score(Map.of("a", 0.05, "noise", 0.0)));
        // A missing signal sits at its training mean.
        assertThat(weights.score(Map.of("a", 0.5))).isBetween(0.0, 1.0);
        assertThat(LogisticCombiner.Weights.fromJson(weights.toJson())).isEqualTo(weights);
    }

    @Test
    void weightsAreNotFittedOnAnswersThatAreAllRightOrAllWrong() {
        // With one class the intercept ran off to 26: a combiner that said 1.0 whatever the signals.
        List<Map<String, Double>> rows = List.of(Map.of("a", 0.2), Map.of("a", 0.5), Map.of("a", 0.9));
        assertThatThrownBy(() -> LogisticCombiner.Weights.fit(rows, new boolean[] {true, true, true}, List.of("a"), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("all 3 answers are correct");
        assertThatThrownBy(() -> LogisticCombiner.Weights.fit(rows, new boolean[] {false, false, false},
                List.of("a"), 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wrong");
        assertThat(LogisticCombiner.Weights.fit(rows, new boolean[] {false, true, true}, List.of("a"), 1)
                .weights()[0]).isPositive();
    }

    @Test
    void weightsWithoutTheirInterceptAreRefusedNotReadAsZero() {
        String whole = new LogisticCombiner.Weights(List.of("a"), new double[] {2}, 0.5, new double[] {0.5},
                new double[] {0.25}).toJson();
        String withoutIntercept = whole.replace("\"intercept\":0.5,", "");
        assertThat(withoutIntercept).doesNotContain("intercept");

        assertThatThrownBy(() -> LogisticCombiner.Weights.fromJson(withoutIntercept))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("intercept");
    }

    @Test
    void combinesEstimatorsOnTheSameChains() {
        LogisticCombiner.Weights weights = new LogisticCombiner.Weights(
                List.of("consistency.agreement", "consistency.entropy"), new double[] {2, -1}, 0.5,
                new double[] {0.5, 0.5}, new double[] {0.25, 0.5});
        LogisticCombiner combiner = LogisticCombiner.builder()
                .estimator(SamplingConsistency.of(AnswerExtractors.numeric())).weights(weights).build();
        ConfidenceEstimate estimate = combiner.estimate("q", SamplingConsistencyTest.tenChains());
        double entropy = -(0.6 * Math.log(0.6) + 0.3 * Math.log(0.3) + 0.1 * Math.log(0.1));
        double z = 0.5 + 2 * (0.6 - 0.5) / 0.25 - (entropy - 0.5) / 0.5;
        assertThat(estimate.confidence()).isCloseTo(1 / (1 + Math.exp(-z)),
                org.assertj.core.api.Assertions.within(1e-12));
        assertThat(estimate.answer()).contains("32");
        assertThat(estimate.signals()).containsKey("consistency.confidence")
                .containsEntry("combiner.missing_signals", 0.0);
        assertThatThrownBy(() -> combiner.estimate("q")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void badFitsAndBuildsAreRefused() {
        assertThatThrownBy(() -> LogisticCombiner.Weights.fit(List.of(Map.of("a", 1.0)), new boolean[] {true},
                List.of("b"), 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no finite b");
        assertThatThrownBy(() -> LogisticCombiner.Weights.fit(List.of(), new boolean[0], List.of("a"), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogisticCombiner.builder().build()).isInstanceOf(IllegalStateException.class);
    }
}
