package dev.reasoningsdk.impl.confidence;

/**
 * Binary logistic regression fitted by Newton's method (iteratively reweighted least squares) with an L2 penalty
 * on the weights (not on the intercept). Targets may be soft (in [0, 1]), which Platt scaling needs. Shared by
 * {@link PlattCalibrator} and {@link LogisticCombiner}.
 */
final class LogisticRegression {

    private static final int MAX_ITERATIONS = 100;
    private static final double TOLERANCE = 1e-10;

    private LogisticRegression() {
    }

    /**
     * @param features rows of features (no intercept column)
     * @param targets  targets in [0, 1]
     * @param l2       penalty {@code l2 / 2 * |w|^2} added to the summed negative log-likelihood
     * @return weights, then the intercept last
     */
    static double[] fit(double[][] features, double[] targets, double l2) {
        int n = features.length;
        int d = features[0].length;
        double[] beta = new double[d + 1];
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            double[] gradient = new double[d + 1];
            double[][] hessian = new double[d + 1][d + 1];
            for (int i = 0; i < n; i++) {
                double[] x = withIntercept(features[i]);
                double p = sigmoid(dot(beta, x));
                double w = Math.max(p * (1 - p), 1e-12);
                for (int a = 0; a <= d; a++) {
                    gradient[a] += (p - targets[i]) * x[a];
                    for (int b = 0; b <= d; b++) {
                        hessian[a][b] += w * x[a] * x[b];
                    }
                }
            }
            for (int a = 0; a < d; a++) {
                gradient[a] += l2 * beta[a];
                hessian[a][a] += l2;
            }
            // A tiny ridge keeps the system solvable when a feature is constant.
            for (int a = 0; a <= d; a++) {
                hessian[a][a] += 1e-9;
            }
            double[] step = solve(hessian, gradient);
            double change = 0;
            for (int a = 0; a <= d; a++) {
                beta[a] -= step[a];
                change = Math.max(change, Math.abs(step[a]));
            }
            if (change < TOLERANCE) {
                break;
            }
        }
        return beta;
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    static double logit(double p) {
        return Math.log(p / (1 - p));
    }

    private static double[] withIntercept(double[] x) {
        double[] extended = java.util.Arrays.copyOf(x, x.length + 1);
        extended[x.length] = 1;
        return extended;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    /** Gaussian elimination with partial pivoting on a copy. */
    private static double[] solve(double[][] matrix, double[] rhs) {
        int n = rhs.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = java.util.Arrays.copyOf(matrix[i], n + 1);
            a[i][n] = rhs[i];
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int row = col + 1; row < n; row++) {
                if (Math.abs(a[row][col]) > Math.abs(a[pivot][col])) {
                    pivot = row;
                }
            }
            double[] swap = a[col];
            a[col] = a[pivot];
            a[pivot] = swap;
            for (int row = col + 1; row < n; row++) {
                double factor = a[row][col] / a[col][col];
                for (int k = col; k <= n; k++) {
                    a[row][k] -= factor * a[col][k];
                }
            }
        }
        double[] x = new double[n];
        for (int row = n - 1; row >= 0; row--) {
            double sum = a[row][n];
            for (int k = row + 1; k < n; k++) {
                sum -= a[row][k] * x[k];
            }
            x[row] = sum / a[row][row];
        }
        return x;
    }
}
