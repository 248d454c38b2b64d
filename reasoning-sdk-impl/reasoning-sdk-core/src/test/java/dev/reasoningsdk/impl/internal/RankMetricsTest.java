package dev.reasoningsdk.impl.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.impl.confidence.ConfidenceMetrics;
import dev.reasoningsdk.impl.confidence.LabelledScores;
import dev.reasoningsdk.impl.retrieval.BinaryMetrics;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RankMetricsTest {

    @Test
    void aSingleClassHasNoArea() {
        double[] scores = {0.2, 0.7, 0.7};
        boolean[] allCorrect = {true, true, true};
        List<Double> scoreList = List.of(0.2, 0.7, 0.7);

        assertThat(RankMetrics.auroc(scores, allCorrect)).isNaN();
        assertThat(RankMetrics.auroc(scores, new boolean[3])).isNaN();
        assertThat(BinaryMetrics.auroc(scoreList, List.of(true, true, true))).isNaN();
        assertThat(BinaryMetrics.compute(scoreList, List.of(false, false, false), 0.5).auroc()).isNaN();
        assertThat(ConfidenceMetrics.auroc(LabelledScores.of(scores, allCorrect))).isNaN();
    }

    @Test
    void positiveAndNegativeZeroTie() {
        assertThat(RankMetrics.auroc(new double[] {0.0, -0.0}, new boolean[] {true, false})).isEqualTo(0.5);
    }

    @Test
    void refusesANanScoreAndMisalignedInput() {
        assertThatThrownBy(() -> RankMetrics.auroc(new double[] {0.1, Double.NaN}, new boolean[] {true, false}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("score 1 is NaN");
        assertThatThrownBy(() -> RankMetrics.auroc(new double[] {0.1}, new boolean[] {true, false}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differ in length");
        assertThatThrownBy(() -> RankMetrics.auroc(new double[0], new boolean[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Counts the ordered pairs directly: the definition the rank formula must reproduce. */
    @Property
    void equalsTheShareOfCorrectlyOrderedPairsAndBothCallersAgree(
            @ForAll @Size(min = 1, max = 30) List<@IntRange(min = 0, max = 6) Integer> levels,
            @ForAll @Size(min = 30, max = 30) List<Boolean> labels) {
        int n = levels.size();
        double[] scores = new double[n];
        boolean[] positive = new boolean[n];
        List<Double> scoreList = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            scores[i] = levels.get(i) / 6.0;
            positive[i] = labels.get(i);
            scoreList.add(scores[i]);
        }
        double ordered = 0;
        long pairs = 0;
        for (int p = 0; p < n; p++) {
            for (int q = 0; q < n; q++) {
                if (positive[p] && !positive[q]) {
                    pairs++;
                    ordered += scores[p] > scores[q] ? 1 : scores[p] == scores[q] ? 0.5 : 0;
                }
            }
        }
        double auroc = RankMetrics.auroc(scores, positive);
        if (pairs == 0) {
            assertThat(auroc).isNaN();
        } else {
            assertThat(auroc).isCloseTo(ordered / pairs, org.assertj.core.data.Offset.offset(1e-12));
        }
        // Boxed, so that NaN equals NaN: both callers must give exactly the shared figure.
        assertThat(BinaryMetrics.auroc(scoreList, labels.subList(0, n))).isEqualTo(Double.valueOf(auroc));
        assertThat(ConfidenceMetrics.auroc(LabelledScores.of(scores, positive))).isEqualTo(Double.valueOf(auroc));
    }
}
