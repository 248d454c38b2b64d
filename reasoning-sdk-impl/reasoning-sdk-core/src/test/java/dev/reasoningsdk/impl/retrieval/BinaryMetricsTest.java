package dev.reasoningsdk.impl.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class BinaryMetricsTest {

    @Test
    void computesAccuracyMacroF1AurocAndTheMajorityBaseline() {
        List<Double> scores = List.of(0.9, 0.8, 0.4, 0.3, 0.6, 0.1);
        List<Boolean> labels = List.of(true, true, true, false, false, false);

        BinaryMetrics metrics = BinaryMetrics.compute(scores, labels, 0.5);

        assertThat(metrics.accuracy()).isCloseTo(4 / 6.0, Offset.offset(1e-12));
        // positive F1 = 2*2/(4+1+1) = 2/3, negative F1 = 2/3
        assertThat(metrics.macroF1()).isCloseTo(2 / 3.0, Offset.offset(1e-12));
        // 8 of 9 positive-negative pairs are ordered correctly
        assertThat(metrics.auroc()).isCloseTo(8 / 9.0, Offset.offset(1e-12));
        assertThat(metrics.majorityAccuracy()).isEqualTo(0.5);
        assertThat(metrics.majorityMacroF1()).isCloseTo(1 / 3.0, Offset.offset(1e-12));
    }

    @Test
    void tiesCountOneHalfAndOneClassIsUndefined() {
        assertThat(BinaryMetrics.auroc(List.of(0.5, 0.5), List.of(true, false))).isEqualTo(0.5);
        // One class has no ROC curve: NaN, as ConfidenceMetrics.auroc says, not a chance-level 0.5.
        assertThat(BinaryMetrics.auroc(List.of(0.2, 0.7), List.of(true, true))).isNaN();
    }
}
