package dev.reasoningsdk.impl.confidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfidenceMetricsTest {

    private static final LabelledScores FOUR = LabelledScores.of(new double[] {0.9, 0.8, 0.7, 0.6},
            new boolean[] {true, false, true, false});
    private static final LabelledScores TIED = LabelledScores.of(new double[] {0.8, 0.8, 0.2},
            new boolean[] {true, false, false});

    @Test
    void aurocCountsOrderedPairs() {
        // Correct {0.9, 0.7} against wrong {0.8, 0.6}: 3 of 4 pairs ordered right.
        assertThat(ConfidenceMetrics.auroc(FOUR)).isCloseTo(0.75, within(1e-12));
    }

    @Test
    void aurocCountsTiesAsHalf() {
        // 0.8 vs 0.8 is a tie (1/2), 0.8 vs 0.2 is ordered (1): (1/2 + 1) / 2.
        assertThat(ConfidenceMetrics.auroc(TIED)).isCloseTo(0.75, within(1e-12));
        LabelledScores allTied = LabelledScores.of(new double[] {0.5, 0.5, 0.5, 0.5},
                new boolean[] {true, false, true, false});
        assertThat(ConfidenceMetrics.auroc(allTied)).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void averagePrecisionStepsAtEachDistinctScore() {
        // Recall 0.5 at precision 1, then recall 1 at precision 2/3: 0.5 + 0.5 * 2/3.
        assertThat(ConfidenceMetrics.averagePrecision(FOUR)).isCloseTo(0.5 + 1.0 / 3, within(1e-12));
        // The tied pair enters together: recall 1 at precision 1/2.
        assertThat(ConfidenceMetrics.averagePrecision(TIED)).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void brierIsMeanSquaredError() {
        assertThat(ConfidenceMetrics.brierScore(FOUR)).isCloseTo((0.01 + 0.64 + 0.09 + 0.36) / 4, within(1e-12));
    }

    @Test
    void eceUsesEqualWidthBinsWithTheLastBinClosed() {
        // One score per bin: mean of |1-0.9|, |0-0.8|, |1-0.7|, |0-0.6|.
        assertThat(ConfidenceMetrics.ece10(FOUR)).isCloseTo((0.1 + 0.8 + 0.3 + 0.6) / 4, within(1e-12));
        // Two bins: all four in [0.5, 1], accuracy 0.5 against mean confidence 0.75.
        assertThat(ConfidenceMetrics.expectedCalibrationError(FOUR, 2)).isCloseTo(0.25, within(1e-12));
        // 1.0 lands in the last bin, 0.5 in the upper of two bins.
        LabelledScores edges = LabelledScores.of(new double[] {1.0, 0.5, 0.0}, new boolean[] {true, true, false});
        assertThat(ConfidenceMetrics.expectedCalibrationError(edges, 2)).isCloseTo(2.0 / 3 * 0.25, within(1e-12));
        assertThat(ConfidenceMetrics.ece20(edges)).isCloseTo(0.5 / 3, within(1e-12));
    }

    @Test
    void selectiveAccuracyKeepsTheMostConfidentAndSplitsTiesInExpectation() {
        assertThat(ConfidenceMetrics.selectiveAccuracy(FOUR, 0.25)).isEqualTo(1.0);
        assertThat(ConfidenceMetrics.selectiveAccuracy(FOUR, 0.5)).isEqualTo(0.5);
        assertThat(ConfidenceMetrics.selectiveAccuracy(FOUR, 0.75)).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(ConfidenceMetrics.selectiveAccuracy(FOUR, 1.0)).isEqualTo(0.5);
        assertThat(ConfidenceMetrics.selectiveAccuracy(TIED, 1.0 / 3)).isCloseTo(0.5, within(1e-12));
        assertThatThrownBy(() -> ConfidenceMetrics.selectiveAccuracy(FOUR, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("coverage");
    }

    @Test
    void riskCoverageHasOnePointPerDistinctScore() {
        List<ConfidenceMetrics.RiskCoveragePoint> curve = ConfidenceMetrics.riskCoverageCurve(TIED);
        assertThat(curve).containsExactly(new ConfidenceMetrics.RiskCoveragePoint(0.8, 2.0 / 3, 0.5),
                new ConfidenceMetrics.RiskCoveragePoint(0.2, 1.0, 2.0 / 3));
    }

    @Test
    void allCorrectAndAllWrong() {
        LabelledScores allCorrect = LabelledScores.of(new double[] {0.9, 0.4}, new boolean[] {true, true});
        assertThat(ConfidenceMetrics.auroc(allCorrect)).isNaN();
        assertThat(ConfidenceMetrics.averagePrecision(allCorrect)).isEqualTo(1.0);
        assertThat(ConfidenceMetrics.ece10(allCorrect)).isCloseTo((0.1 + 0.6) / 2, within(1e-12));
        assertThat(ConfidenceMetrics.selectiveAccuracy(allCorrect, 0.5)).isEqualTo(1.0);

        LabelledScores allWrong = LabelledScores.of(new double[] {0.9, 0.4}, new boolean[] {false, false});
        assertThat(ConfidenceMetrics.auroc(allWrong)).isNaN();
        assertThat(ConfidenceMetrics.averagePrecision(allWrong)).isNaN();
        assertThat(ConfidenceMetrics.brierScore(allWrong)).isCloseTo((0.81 + 0.16) / 2, within(1e-12));
        assertThat(ConfidenceMetrics.accuracy(allWrong)).isZero();
    }

    @Test
    void badInputIsRefusedClearly() {
        assertThatThrownBy(() -> LabelledScores.of(new double[0], new boolean[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no labelled scores");
        assertThatThrownBy(() -> LabelledScores.of(new double[] {0.5}, new boolean[] {true, false}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differ in length");
        assertThatThrownBy(() -> LabelledScores.of(new double[] {Double.NaN}, new boolean[] {true}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not finite");
        LabelledScores outOfRange = LabelledScores.of(new double[] {1.5}, new boolean[] {true});
        assertThatThrownBy(() -> ConfidenceMetrics.ece10(outOfRange))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside [0, 1]");
        assertThatThrownBy(() -> ConfidenceMetrics.expectedCalibrationError(FOUR, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bins");
    }
}
