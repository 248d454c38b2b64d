package dev.reasoningsdk.impl.confidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class CalibratorsTest {

    @Test
    void isotonicPoolsAdjacentViolatorsAndInterpolates() {
        LabelledScores data = LabelledScores.of(new double[] {0.1, 0.2, 0.3, 0.4},
                new boolean[] {false, true, false, true});
        IsotonicCalibrator isotonic = IsotonicCalibrator.fit(data);
        assertThat(isotonic.values()).containsExactly(0.0, 0.5, 0.5, 1.0);
        assertThat(isotonic.calibrate(0.15)).isCloseTo(0.25, within(1e-12));
        assertThat(isotonic.calibrate(0.25)).isCloseTo(0.5, within(1e-12));
        assertThat(isotonic.calibrate(-3)).isZero();
        assertThat(isotonic.calibrate(7)).isEqualTo(1.0);
    }

    @Test
    void isotonicGivesTiedScoresOneValue() {
        LabelledScores data = LabelledScores.of(new double[] {0.5, 0.5, 0.5, 0.9},
                new boolean[] {true, false, false, true});
        IsotonicCalibrator isotonic = IsotonicCalibrator.fit(data);
        assertThat(isotonic.thresholds()).containsExactly(0.5, 0.9);
        assertThat(isotonic.calibrate(0.5)).isCloseTo(1.0 / 3, within(1e-12));
    }

    @Test
    void temperatureScalingCoolsAnOverconfidentScore() {
        // Everything scored 0.9 but 60% correct: the NLL optimum maps 0.9 to 0.6, T = logit(0.9) / logit(0.6).
        double[] scores = new double[10];
        boolean[] correct = new boolean[10];
        for (int i = 0; i < 10; i++) {
            scores[i] = 0.9;
            correct[i] = i < 6;
        }
        TemperatureScaling scaling = TemperatureScaling.fit(LabelledScores.of(scores, correct));
        assertThat(scaling.temperature()).isCloseTo(Math.log(9) / Math.log(1.5), within(1e-4));
        assertThat(scaling.calibrate(0.9)).isCloseTo(0.6, within(1e-5));
        assertThat(scaling.calibrate(0.5)).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void plattFitsAnIncreasingSigmoidAndStaysFlatWhenTheScoreIsReversed() {
        LabelledScores informative = LabelledScores.of(new double[] {0.1, 0.2, 0.3, 0.7, 0.8, 0.9, 0.4, 0.6},
                new boolean[] {false, false, false, true, true, true, true, false});
        PlattCalibrator platt = PlattCalibrator.fit(informative);
        assertThat(platt.slope()).isPositive();
        assertThat(platt.calibrate(0.9)).isGreaterThan(platt.calibrate(0.1));

        LabelledScores reversed = LabelledScores.of(new double[] {0.1, 0.2, 0.8, 0.9},
                new boolean[] {true, true, false, false});
        PlattCalibrator flat = PlattCalibrator.fit(reversed);
        assertThat(flat.slope()).isZero();
        assertThat(flat.calibrate(0.1)).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void everyCalibratorSurvivesAJsonRoundTrip() {
        LabelledScores data = LabelledScores.of(new double[] {0.1, 0.4, 0.4, 0.8, 0.95},
                new boolean[] {false, true, false, true, true});
        for (FittedCalibrator calibrator : new FittedCalibrator[] {PlattCalibrator.fit(data),
                IsotonicCalibrator.fit(data), TemperatureScaling.fit(data)}) {
            String json = calibrator.toJson();
            assertThat(json).contains("\"type\":\"" + calibrator.name() + "\"");
            FittedCalibrator read = FittedCalibrator.fromJson(json);
            assertThat(read).isEqualTo(calibrator);
            assertThat(read.calibrate(0.6)).isEqualTo(calibrator.calibrate(0.6));
        }
    }

    @Test
    void malformedJsonAndNaNAreRefused() {
        assertThatThrownBy(() -> FittedCalibrator.fromJson("{\"type\":\"magic\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a fitted calibrator");
        assertThatThrownBy(() -> FittedCalibrator.fromJson("{\"type\":\"platt\",\"slope\":-1,\"intercept\":0}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FittedCalibrator.fromJson(
                "{\"type\":\"isotonic\",\"thresholds\":[0.5,0.2],\"values\":[0.1,0.2]}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TemperatureScaling(2).calibrate(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
    }

    @Test
    void aCalibratorWithAParameterLeftOutIsRefusedNotReadAsZero() {
        // Read as slope 0 and intercept 0, these were a calibrator that maps every score to 0.5.
        for (String json : List.of("{\"type\":\"platt\"}", "{\"type\":\"platt\",\"slope\":2.0}",
                "{\"type\":\"platt\",\"slope\":2.0,\"intercept\":null}", "{\"type\":\"isotonic\"}")) {
            assertThatThrownBy(() -> FittedCalibrator.fromJson(json)).as(json)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a fitted calibrator");
        }
        assertThat(FittedCalibrator.fromJson("{\"type\":\"platt\",\"slope\":2.0,\"intercept\":-1.0}"))
                .isEqualTo(new PlattCalibrator(2, -1));
    }

    @Test
    void temperatureScalingRefusesToFitRawScoresOutsideZeroToOne() {
        // Logits: clamped to 1 - 1e-6, the three positive ones were fitted as one and the same certainty.
        LabelledScores logits = LabelledScores.of(new double[] {3.2, 5.1, 7.9, -2},
                new boolean[] {false, true, true, false});

        assertThatThrownBy(() -> TemperatureScaling.fit(logits)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("score 0 is 3.2");
    }
}
