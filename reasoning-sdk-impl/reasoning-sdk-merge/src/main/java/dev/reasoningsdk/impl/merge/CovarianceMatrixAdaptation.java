package dev.reasoningsdk.impl.merge;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The (μ/μ<sub>w</sub>, λ)-CMA-ES as given by Hansen, "The CMA Evolution Strategy: A Tutorial" (arXiv:1604.00772,
 * Table 1 and Fig. 6 there): weighted recombination of the μ best of λ samples, cumulative step-size adaptation
 * (CSA), and rank-one plus rank-μ updates of the covariance matrix. It only ever sees rankings, never objective
 * values: the caller samples with {@link #ask}, evaluates, ranks, and hands the points back best first to
 * {@link #tell}.
 *
 * <p>Points handed back may differ from the ones sampled (repaired into a feasible set, say). Following Hansen,
 * "Injecting External Solutions into CMA-ES" (arXiv:1110.4181), each step {@code y = (x - m) / σ} is then shortened
 * to a Mahalanobis length of at most {@code sqrt(n) + 2n / (n + 2)}, so a far repair cannot blow up the step size.
 *
 * <p>Defaults (the tutorial's, for dimension n): λ = 4 + ⌊3 ln n⌋, μ = ⌊λ/2⌋, weights w<sub>i</sub> ∝ ln((λ+1)/2) −
 * ln i for i ≤ μ, c<sub>σ</sub> = (μ<sub>eff</sub>+2)/(n+μ<sub>eff</sub>+5), d<sub>σ</sub> = 1 + 2 max(0,
 * sqrt((μ<sub>eff</sub>−1)/(n+1)) − 1) + c<sub>σ</sub>, c<sub>c</sub> = (4+μ<sub>eff</sub>/n)/(n+4+2μ<sub>eff</sub>/n),
 * c<sub>1</sub> = 2/((n+1.3)²+μ<sub>eff</sub>), c<sub>μ</sub> = min(1−c<sub>1</sub>,
 * 2(μ<sub>eff</sub>−2+1/μ<sub>eff</sub>) /((n+2)²+μ<sub>eff</sub>)), c<sub>m</sub> = 1, C<sub>0</sub> = I. The
 * covariance is eigendecomposed every generation with the cyclic Jacobi method ({@link #eigen}); if its condition
 * number passes 1e14 it is reset to I.
 *
 * <p>Mutable and not thread-safe: one instance is one run.
 */
final class CovarianceMatrixAdaptation {

    private static final double MAX_CONDITION = 1e14;

    private final int n;
    private final int lambda;
    private final double[] recombination;
    private final double muEff;
    private final double cSigma;
    private final double dSigma;
    private final double cC;
    private final double c1;
    private final double cMu;
    private final double expectedNorm;

    private final double[] mean;
    private double sigma;
    private final double[] pSigma;
    private final double[] pC;
    private double[][] covariance;
    private Eigen eigen;
    private int generation;

    /**
     * @param mean   the initial mean m<sub>0</sub> (its length is the dimension n, at least 1)
     * @param sigma  the initial step size σ<sub>0</sub>, positive
     * @param lambda the population size λ, at least 2 (see {@link #defaultPopulation})
     * @throws IllegalArgumentException if an argument is out of range
     */
    CovarianceMatrixAdaptation(double[] mean, double sigma, int lambda) {
        if (mean.length < 1 || !(sigma > 0) || lambda < 2) {
            throw new IllegalArgumentException("CMA-ES needs n >= 1, sigma > 0 and lambda >= 2, were "
                    + mean.length + ", " + sigma + ", " + lambda);
        }
        this.n = mean.length;
        this.lambda = lambda;
        int mu = lambda / 2;
        this.recombination = new double[mu];
        double sum = 0;
        for (int i = 0; i < mu; i++) {
            recombination[i] = Math.log((lambda + 1) / 2.0) - Math.log(i + 1);
            sum += recombination[i];
        }
        double sumSquares = 0;
        for (int i = 0; i < mu; i++) {
            recombination[i] /= sum;
            sumSquares += recombination[i] * recombination[i];
        }
        this.muEff = 1 / sumSquares;
        this.cSigma = (muEff + 2) / (n + muEff + 5);
        this.dSigma = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cSigma;
        this.cC = (4 + muEff / n) / (n + 4 + 2 * muEff / n);
        this.c1 = 2 / ((n + 1.3) * (n + 1.3) + muEff);
        this.cMu = Math.min(1 - c1, 2 * (muEff - 2 + 1 / muEff) / ((n + 2) * (n + 2) + muEff));
        this.expectedNorm = Math.sqrt(n) * (1 - 1.0 / (4 * n) + 1.0 / (21.0 * n * n));
        this.mean = mean.clone();
        this.sigma = sigma;
        this.pSigma = new double[n];
        this.pC = new double[n];
        this.covariance = identity(n);
        this.eigen = new Eigen(filled(n, 1), identity(n));
    }

    /** Hansen's default population size for dimension n: 4 + ⌊3 ln n⌋. */
    static int defaultPopulation(int n) {
        return 4 + (int) Math.floor(3 * Math.log(n));
    }

    /** λ, the samples per generation. */
    int lambda() {
        return lambda;
    }

    /** The current step size σ. */
    double sigma() {
        return sigma;
    }

    /** The current mean m. */
    double[] mean() {
        return mean.clone();
    }

    /** Draws λ samples m + σ B D z, z ~ N(0, I). */
    double[][] ask(SplittableRandom random) {
        double[][] samples = new double[lambda][];
        for (int k = 0; k < lambda; k++) {
            double[] dz = new double[n];
            for (int i = 0; i < n; i++) {
                dz[i] = Math.sqrt(eigen.values()[i]) * gaussian(random);
            }
            double[] x = multiply(eigen.vectors(), dz);
            for (int i = 0; i < n; i++) {
                x[i] = mean[i] + sigma * x[i];
            }
            samples[k] = x;
        }
        return samples;
    }

    /**
     * Updates mean, paths, covariance and step size from one generation.
     *
     * @param bestFirst the λ evaluated points, best first
     * @throws IllegalArgumentException if not exactly λ points of dimension n
     */
    void tell(List<double[]> bestFirst) {
        if (bestFirst.size() != lambda || bestFirst.stream().anyMatch(x -> x.length != n)) {
            throw new IllegalArgumentException("tell needs " + lambda + " points of dimension " + n);
        }
        double maxStep = Math.sqrt(n) + 2.0 * n / (n + 2);
        double[][] steps = new double[recombination.length][];
        double[] yWeighted = new double[n];
        for (int i = 0; i < recombination.length; i++) {
            double[] y = new double[n];
            for (int j = 0; j < n; j++) {
                y[j] = (bestFirst.get(i)[j] - mean[j]) / sigma;
            }
            double length = norm(inverseSqrt(y));
            if (length > maxStep) {
                scale(y, maxStep / length);
            }
            steps[i] = y;
            for (int j = 0; j < n; j++) {
                yWeighted[j] += recombination[i] * y[j];
            }
        }
        for (int j = 0; j < n; j++) {
            mean[j] += sigma * yWeighted[j];
        }
        generation++;
        double[] whitened = inverseSqrt(yWeighted);
        double pathSigma = Math.sqrt(cSigma * (2 - cSigma) * muEff);
        for (int j = 0; j < n; j++) {
            pSigma[j] = (1 - cSigma) * pSigma[j] + pathSigma * whitened[j];
        }
        double pSigmaNorm = norm(pSigma);
        // h_sigma stalls the rank-one path while ||p_sigma|| is large, so a quick growth of sigma does not also
        // inflate C along the same direction.
        boolean hSigma = pSigmaNorm / Math.sqrt(1 - Math.pow(1 - cSigma, 2.0 * generation))
                < (1.4 + 2.0 / (n + 1)) * expectedNorm;
        double pathC = hSigma ? Math.sqrt(cC * (2 - cC) * muEff) : 0;
        for (int j = 0; j < n; j++) {
            pC[j] = (1 - cC) * pC[j] + pathC * yWeighted[j];
        }
        double keep = 1 - c1 - cMu + (hSigma ? 0 : c1 * cC * (2 - cC));
        for (int a = 0; a < n; a++) {
            for (int b = 0; b <= a; b++) {
                double rankMu = 0;
                for (int i = 0; i < steps.length; i++) {
                    rankMu += recombination[i] * steps[i][a] * steps[i][b];
                }
                double value = keep * covariance[a][b] + c1 * pC[a] * pC[b] + cMu * rankMu;
                covariance[a][b] = value;
                covariance[b][a] = value;
            }
        }
        sigma *= Math.exp(cSigma / dSigma * (pSigmaNorm / expectedNorm - 1));
        eigen = eigen(covariance);
        double max = Arrays.stream(eigen.values()).max().orElseThrow();
        double min = Arrays.stream(eigen.values()).min().orElseThrow();
        if (!(min > 0 && max / min < MAX_CONDITION)) {
            covariance = identity(n);
            eigen = new Eigen(filled(n, 1), identity(n));
        }
    }

    /** C^(-1/2) y = B D^(-1) B^T y. */
    private double[] inverseSqrt(double[] y) {
        double[][] b = eigen.vectors();
        double[] projected = new double[n];
        for (int k = 0; k < n; k++) {
            double dot = 0;
            for (int j = 0; j < n; j++) {
                dot += b[j][k] * y[j];
            }
            projected[k] = dot / Math.sqrt(eigen.values()[k]);
        }
        return multiply(b, projected);
    }

    /**
     * The eigendecomposition A = V diag(values) V^T of a symmetric matrix by the cyclic Jacobi method: sweeps of plane
     * rotations that each zero one off-diagonal entry, until the off-diagonal mass is negligible. O(n³) per sweep,
     * a handful of sweeps; exact enough (orthogonal V to rounding) for the small dimensions of a ratio search.
     *
     * @param symmetric a symmetric n x n matrix (only read)
     * @return eigenvalues and the eigenvectors as the columns of {@code vectors}, in no particular order
     */
    static Eigen eigen(double[][] symmetric) {
        int size = symmetric.length;
        double[][] a = new double[size][];
        for (int i = 0; i < size; i++) {
            a[i] = symmetric[i].clone();
        }
        double[][] v = identity(size);
        double total = 0;
        for (double[] row : a) {
            for (double x : row) {
                total += x * x;
            }
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < size; p++) {
                for (int q = p + 1; q < size; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off <= 1e-32 * total) {
                break;
            }
            for (int p = 0; p < size; p++) {
                for (int q = p + 1; q < size; q++) {
                    if (a[p][q] != 0) {
                        rotate(a, v, p, q);
                    }
                }
            }
        }
        double[] values = new double[size];
        for (int i = 0; i < size; i++) {
            values[i] = a[i][i];
        }
        return new Eigen(values, v);
    }

    /** A <- J^T A J and V <- V J for the rotation J in the (p, q) plane that zeroes a[p][q]. */
    private static void rotate(double[][] a, double[][] v, int p, int q) {
        double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        // The smaller root of t² + 2θt − 1 = 0 keeps the rotation angle below π/4, which is what makes the
        // cyclic sweeps converge.
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) {
            t = 1;
        }
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        for (double[] row : a) {
            double kp = row[p];
            double kq = row[q];
            row[p] = c * kp - s * kq;
            row[q] = s * kp + c * kq;
        }
        for (int k = 0; k < a.length; k++) {
            double pk = a[p][k];
            double qk = a[q][k];
            a[p][k] = c * pk - s * qk;
            a[q][k] = s * pk + c * qk;
        }
        a[p][q] = 0;
        a[q][p] = 0;
        for (double[] row : v) {
            double kp = row[p];
            double kq = row[q];
            row[p] = c * kp - s * kq;
            row[q] = s * kp + c * kq;
        }
    }

    /**
     * Eigenvalues and eigenvectors (as the columns of {@code vectors}) of a symmetric matrix.
     *
     * @param values  the eigenvalues
     * @param vectors the orthonormal eigenvectors, column k belonging to {@code values[k]}
     */
    record Eigen(double[] values, double[][] vectors) {
    }

    /** A standard normal draw (Box-Muller: SplittableRandom has no nextGaussian on Java 17). */
    static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private static double[] multiply(double[][] matrix, double[] x) {
        double[] result = new double[matrix.length];
        for (int i = 0; i < matrix.length; i++) {
            double dot = 0;
            for (int j = 0; j < x.length; j++) {
                dot += matrix[i][j] * x[j];
            }
            result[i] = dot;
        }
        return result;
    }

    private static double norm(double[] x) {
        double sum = 0;
        for (double value : x) {
            sum += value * value;
        }
        return Math.sqrt(sum);
    }

    private static void scale(double[] x, double factor) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= factor;
        }
    }

    private static double[][] identity(int size) {
        double[][] identity = new double[size][size];
        for (int i = 0; i < size; i++) {
            identity[i][i] = 1;
        }
        return identity;
    }

    private static double[] filled(int size, double value) {
        double[] array = new double[size];
        Arrays.fill(array, value);
        return array;
    }
}
