package dev.reasoningsdk.impl.confidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class CalibratorPropertiesTest {

    @Property(tries = 200)
    void calibratorsAreMonotoneAndInUnitInterval(@ForAll("labelledScores") LabelledScores data) {
        for (FittedCalibrator calibrator : List.of(PlattCalibrator.fit(data), IsotonicCalibrator.fit(data),
                TemperatureScaling.fit(data))) {
            double previous = -1;
            for (int i = -10; i <= 110; i++) {
                double value = calibrator.calibrate(i / 100.0);
                assertThat(value).as(calibrator.name()).isBetween(0.0, 1.0);
                assertThat(value).as(calibrator.name() + " at " + i / 100.0).isGreaterThanOrEqualTo(previous - 1e-12);
                previous = value;
            }
        }
    }

    @Property(tries = 200)
    void metricsStayInTheirRanges(@ForAll("labelledScores") LabelledScores data) {
        assertThat(ConfidenceMetrics.ece10(data)).isBetween(0.0, 1.0);
        assertThat(ConfidenceMetrics.brierScore(data)).isBetween(0.0, 1.0);
        double auroc = ConfidenceMetrics.auroc(data);
        if (!Double.isNaN(auroc)) {
            assertThat(auroc).isBetween(0.0, 1.0);
            // Flipping every label mirrors the AUROC.
            boolean[] flipped = data.correct();
            for (int i = 0; i < flipped.length; i++) {
                flipped[i] = !flipped[i];
            }
            assertThat(ConfidenceMetrics.auroc(LabelledScores.of(data.scores(), flipped)))
                    .isCloseTo(1 - auroc, org.assertj.core.api.Assertions.within(1e-9));
        }
        assertThat(ConfidenceMetrics.selectiveAccuracy(data, 1.0)).isCloseTo(ConfidenceMetrics.accuracy(data),
                org.assertj.core.api.Assertions.within(1e-9));
    }

    @Provide
    Arbitrary<LabelledScores> labelledScores() {
        Arbitrary<Double> score = Arbitraries.oneOf(Arbitraries.doubles().between(0, 1),
                Arbitraries.of(0.0, 0.25, 0.5, 0.75, 1.0));
        return Combinators.combine(score.list().ofMinSize(1).ofMaxSize(40),
                        Arbitraries.of(true, false).list().ofMinSize(40).ofMaxSize(40))
                .as((scores, labels) -> {
                    double[] s = scores.stream().mapToDouble(Double::doubleValue).toArray();
                    boolean[] c = new boolean[s.length];
                    for (int i = 0; i < s.length; i++) {
                        c[i] = labels.get(i);
                    }
                    return LabelledScores.of(s, c);
                });
    }
}
