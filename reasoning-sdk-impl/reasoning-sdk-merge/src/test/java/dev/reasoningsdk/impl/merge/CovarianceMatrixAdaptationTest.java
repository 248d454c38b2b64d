package dev.reasoningsdk.impl.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class CovarianceMatrixAdaptationTest {

    @Test
    void jacobiReconstructsRandomSymmetricMatrices() {
        SplittableRandom random = new SplittableRandom(7);
        for (int size : new int[] {1, 2, 3, 8, 25}) {
            double[][] a = randomSymmetric(size, random);
            CovarianceMatrixAdaptation.Eigen eigen = CovarianceMatrixAdaptation.eigen(a);
            double[][] v = eigen.vectors();
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    double reconstructed = 0;
                    double gram = 0;
                    for (int k = 0; k < size; k++) {
                        reconstructed += v[i][k] * eigen.values()[k] * v[j][k];
                        gram += v[k][i] * v[k][j];
                    }
                    assertThat(reconstructed).as("A[%d][%d], n=%d", i, j, size).isCloseTo(a[i][j], within(1e-9));
                    assertThat(gram).as("V^T V[%d][%d], n=%d", i, j, size).isCloseTo(i == j ? 1 : 0, within(1e-9));
                }
            }
        }
    }

    @Test
    void jacobiFindsTheKnownSpectrumOfADegenerateMatrix() {
        // Equal diagonal entries take the 45-degree rotation branch; the spectrum of [[2,1],[1,2]] is {1, 3}.
        double[] values = CovarianceMatrixAdaptation.eigen(new double[][] {{2, 1}, {1, 2}}).values();
        Arrays.sort(values);
        assertThat(values[0]).isCloseTo(1, within(1e-12));
        assertThat(values[1]).isCloseTo(3, within(1e-12));
    }

    @Test
    void defaultPopulationIsHansens() {
        assertThat(CovarianceMatrixAdaptation.defaultPopulation(1)).isEqualTo(4);
        assertThat(CovarianceMatrixAdaptation.defaultPopulation(10)).isEqualTo(10);
        assertThat(CovarianceMatrixAdaptation.defaultPopulation(39)).isEqualTo(14);
    }

    @Test
    void minimisesAnIllConditionedRotatedEllipsoid() {
        // A rotated ellipsoid with condition 1e4 needs the covariance learnt: a fixed isotropic step makes no
        // headway along the long axes in this budget.
        int n = 6;
        double[][] rotation = CovarianceMatrixAdaptation.eigen(randomSymmetric(n, new SplittableRandom(3))).vectors();
        ToDoubleFunction<double[]> ellipsoid = x -> {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                double y = 0;
                for (int j = 0; j < n; j++) {
                    y += rotation[j][i] * (x[j] - 1);
                }
                sum += Math.pow(1e4, i / (n - 1.0)) * y * y;
            }
            return sum;
        };
        double[] start = new double[n];
        CovarianceMatrixAdaptation cma = new CovarianceMatrixAdaptation(start, 0.5,
                CovarianceMatrixAdaptation.defaultPopulation(n));
        SplittableRandom random = new SplittableRandom(11);
        for (int generation = 0; generation < 400; generation++) {
            List<double[]> samples = new ArrayList<>(Arrays.asList(cma.ask(random)));
            samples.sort(Comparator.comparingDouble(ellipsoid));
            cma.tell(samples);
        }
        assertThat(ellipsoid.applyAsDouble(cma.mean())).isLessThan(1e-10);
        assertThat(ellipsoid.applyAsDouble(start)).isGreaterThan(1);
    }

    @Test
    void refusesBadSettingsAndMismatchedGenerations() {
        assertThatThrownBy(() -> new CovarianceMatrixAdaptation(new double[0], 1, 4))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CovarianceMatrixAdaptation(new double[2], 0, 4))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CovarianceMatrixAdaptation(new double[2], 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        CovarianceMatrixAdaptation cma = new CovarianceMatrixAdaptation(new double[2], 1, 4);
        assertThatThrownBy(() -> cma.tell(List.of(new double[2])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 points");
    }

    private static double[][] randomSymmetric(int n, SplittableRandom random) {
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                a[i][j] = random.nextDouble(-5, 5);
                a[j][i] = a[i][j];
            }
        }
        return a;
    }
}
