package dev.reasoningsdk.impl.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class LogisticRegressionTest {

    /** Two overlapping classes in three features, soft targets on some rows, as Platt scaling has them. */
    private static double[][] features(Random random, int n, double[] targets) {
        double[][] x = new double[n][3];
        for (int i = 0; i < n; i++) {
            boolean positive = random.nextDouble() < 0.4;
            for (int j = 0; j < 3; j++) {
                x[i][j] = random.nextGaussian() + (j == 0 && positive ? 1.5 : 0);
            }
            targets[i] = positive ? (i % 5 == 0 ? 0.9 : 1) : (i % 7 == 0 ? 0.1 : 0);
        }
        return x;
    }

    @Test
    void fullStepsReachTheOptimumToRoundingAndStepHalvingToItsLossTolerance() {
        Random random = new Random(11);
        int n = 400;
        double[] targets = new double[n];
        double[][] x = features(random, n, targets);
        double[][] z = new double[n][];
        double[] ones = new double[n];
        for (int i = 0; i < n; i++) {
            z[i] = java.util.Arrays.copyOf(x[i], 4);
            z[i][3] = 1;
            ones[i] = 1;
        }
        double l2 = 0.5;

        double[] full = LogisticRegression.fit(x, targets, l2, 100);
        double[] halved = LogisticRegression.fit(z, targets, ones, l2, 100, LogisticRegression.Damping.STEP_HALVING);

        // At the optimum the gradient of the penalised objective vanishes.
        double[] gradient = new double[4];
        for (int i = 0; i < n; i++) {
            double p = LogisticRegression.sigmoid(z[i][0] * full[0] + z[i][1] * full[1] + z[i][2] * full[2] + full[3]);
            for (int a = 0; a < 4; a++) {
                gradient[a] += (p - targets[i]) * z[i][a];
            }
        }
        for (int a = 0; a < 3; a++) {
            gradient[a] += l2 * full[a];
        }
        for (int a = 0; a < 4; a++) {
            assertThat(gradient[a]).as("gradient %d", a).isCloseTo(0, Offset.offset(1e-9));
            assertThat(halved[a]).as("coordinate %d", a).isCloseTo(full[a], Offset.offset(1e-4));
        }
        assertThat(full[0]).isGreaterThan(1);
    }

    @Test
    void aConstantFeatureWithoutPenaltyLeavesTheFullStepFitSolvable() {
        double[][] x = {{0, 0.2}, {0, 0.9}, {0, 0.4}, {0, 0.7}};
        double[] targets = {0, 1, 1, 0};

        double[] beta = LogisticRegression.fit(x, targets, 0, 100);

        assertThat(beta[0]).isCloseTo(0, Offset.offset(1e-6));
        assertThat(java.util.Arrays.stream(beta).allMatch(Double::isFinite)).isTrue();
    }

    @Test
    void sigmoidAndLogitAreInversesAndStayFinite() {
        assertThat(LogisticRegression.sigmoid(LogisticRegression.logit(0.3))).isCloseTo(0.3, Offset.offset(1e-15));
        assertThat(LogisticRegression.sigmoid(-800)).isEqualTo(0);
        assertThat(LogisticRegression.sigmoid(800)).isEqualTo(1);
    }
}
