package dev.reasoningsdk.impl.confidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.confidence.Calibrator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class CrossFittingTest {

    /** Scores 0.1 .. 0.8 in each half, interleaved so every quarter has low and high; 0.5 and up are correct. */
    private static final LabelledScores DATA = LabelledScores.of(
            new double[] {0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4, 0.5, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4, 0.5},
            new boolean[] {false, true, false, true, false, true, false, true,
                    false, true, false, true, false, true, false, true});

    @Test
    void eachHalfIsCalibratedByWhatWasFittedOnTheOther() {
        // A calibrator that returns the accuracy of its fit data shows which half it was fitted on.
        Function<LabelledScores, Calibrator> baseRate = fit -> constant(ConfidenceMetrics.accuracy(fit));
        LabelledScores skewed = LabelledScores.of(new double[] {0.5, 0.5, 0.5, 0.5},
                new boolean[] {true, true, false, true});
        LabelledScores calibrated = CrossFitting.calibrateOutOfFold(skewed, baseRate);
        assertThat(calibrated.scores()).containsExactly(0.5, 0.5, 1.0, 1.0);
    }

    @Test
    void selectionHappensInsideTheFitHalf() {
        Map<String, Function<LabelledScores, ? extends Calibrator>> candidates = new LinkedHashMap<>();
        candidates.put("constant", fit -> constant(0.5));
        candidates.put("isotonic", IsotonicCalibrator::fit);
        CrossFitting.Selection selection = CrossFitting.calibrateOutOfFoldSelecting(DATA, candidates);
        assertThat(selection.chosenOnFirstHalf()).isEqualTo("isotonic");
        assertThat(selection.chosenOnSecondHalf()).isEqualTo("isotonic");
        assertThat(ConfidenceMetrics.brierScore(selection.calibrated())).isLessThan(0.25);
        assertThatThrownBy(() -> CrossFitting.calibrateOutOfFoldSelecting(DATA, Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusalThresholdsTransferAcrossHalves() {
        List<CrossFitting.ThresholdTransfer> transfers = CrossFitting.refusalOutOfFold(DATA, 0.9);
        assertThat(transfers).hasSize(2);
        for (CrossFitting.ThresholdTransfer transfer : transfers) {
            assertThat(transfer.chosen().threshold()).isEqualTo(0.5);
            assertThat(transfer.heldOutAccuracy()).isEqualTo(1.0);
            assertThat(transfer.heldOutCoverage()).isEqualTo(0.5);
        }
        assertThatThrownBy(() -> CrossFitting.refusalOutOfFold(
                LabelledScores.of(new double[] {0.5}, new boolean[] {true}), 0.9))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2");
    }

    private static Calibrator constant(double value) {
        return new Calibrator() {
            @Override
            public double calibrate(double rawScore) {
                return value;
            }

            @Override
            public String name() {
                return "constant";
            }
        };
    }
}
