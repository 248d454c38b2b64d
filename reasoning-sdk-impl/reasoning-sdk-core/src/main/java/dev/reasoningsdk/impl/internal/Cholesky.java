package dev.reasoningsdk.impl.internal;

/** Solves a symmetric positive-definite system by Cholesky decomposition; reads only the lower triangle. Not API. */
public final class Cholesky {

    private Cholesky() {
    }

    /**
     * Solves {@code a x = b}.
     *
     * @throws ArithmeticException if {@code a} is not positive definite
     */
    public static double[] solve(double[][] a, double[] b) {
        return factor(a).solve(b);
    }

    /**
     * Factors {@code a = l l^T} once, for several right-hand sides.
     *
     * @throws ArithmeticException if {@code a} is not positive definite
     */
    public static Factor factor(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][];
        for (int i = 0; i < n; i++) {
            l[i] = new double[i + 1];
            for (int j = 0; j <= i; j++) {
                double sum = a[i][j];
                double[] li = l[i];
                double[] lj = l[j];
                for (int k = 0; k < j; k++) {
                    sum -= li[k] * lj[k];
                }
                if (i == j) {
                    if (!(sum > 0)) {
                        throw new ArithmeticException("matrix is not positive definite at row " + i);
                    }
                    li[i] = Math.sqrt(sum);
                } else {
                    li[j] = sum / lj[j];
                }
            }
        }
        return new Factor(l);
    }

    /** The lower-triangular factor {@code l}, row by row. */
    public record Factor(double[][] l) {

        /** Solves {@code l l^T x = b}. */
        public double[] solve(double[] b) {
            int n = b.length;
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                double sum = b[i];
                for (int k = 0; k < i; k++) {
                    sum -= l[i][k] * y[k];
                }
                y[i] = sum / l[i][i];
            }
            double[] x = new double[n];
            for (int i = n - 1; i >= 0; i--) {
                double sum = y[i];
                for (int k = i + 1; k < n; k++) {
                    sum -= l[k][i] * x[k];
                }
                x[i] = sum / l[i][i];
            }
            return x;
        }
    }
}
