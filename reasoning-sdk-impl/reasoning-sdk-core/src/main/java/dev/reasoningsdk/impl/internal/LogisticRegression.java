package dev.reasoningsdk.impl.internal;

import java.util.Arrays;

/**
 * Binary logistic regression with an L2 penalty on the weights (not on the intercept), fitted by Newton's method
 * (iteratively reweighted least squares). One implementation for every fit in the SDK: Platt scaling and the
 * logistic combiner of confidence signals, and the trainer of the retrieval heads. Not API.
 *
 * <p>The objective is {@code sum_i c_i (log(1 + e^(m_i)) - t_i m_i) + l2 / 2 * |w|^2}, {@code m_i = z_i . theta},
 * with row weights {@code c_i >= 0} and targets {@code t_i} in [0, 1] (soft targets, as Platt scaling needs). Each
 * iteration solves the Newton system by Cholesky; with more columns than rows and {@code l2 > 0} (a vocabulary head:
 * 1533 features on 288 rows) it is solved through the rows' Gram matrix instead, which costs {@code n^3} rather than
 * {@code d^3}. How a step is taken and when the fit stops is the caller's {@link Damping}: the heads need steps
 * that cannot diverge, the calibrators need the optimum to rounding.
 */
public final class LogisticRegression {

    private static final double LOSS_TOLERANCE = 1e-10;
    private static final double STEP_TOLERANCE = 1e-10;
    private static final int HALVINGS = 30;

    private LogisticRegression() {
    }

    /** The logistic function, computed without overflow for large {@code |z|}. */
    public static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    /** The inverse of {@link #sigmoid}: {@code log(p / (1 - p))}. */
    public static double logit(double p) {
        return Math.log(p / (1 - p));
    }

    /**
     * How an iteration moves and when the fit stops. The two differ in what they can resolve: a step accepted only
     * when it lowers the objective stalls once the objective's change drops below its rounding, which leaves the
     * parameters about {@code sqrt(1e-16) = 1e-8} (relative) from the optimum; full steps converge quadratically to
     * rounding.
     */
    public enum Damping {
        /**
         * Full Newton steps; stop when no coordinate moves by {@code 1e-10} or more. Resolves the optimum to
         * rounding, for small well-conditioned fits whose figures must be exact (calibrators, combiners); a
         * {@code 1e-9} ridge on every coordinate keeps a constant feature from making the system singular.
         */
        NONE(1e-9, 1e-12),
        /**
         * A step that does not lower the objective is halved (up to 30 times); stop when an iteration lowers it by
         * less than {@code 1e-10}, or not at all. Never diverges on separable, wide data (the retrieval heads).
         */
        STEP_HALVING(0, 1e-10);

        private final double ridge;
        private final double curvatureFloor;

        Damping(double ridge, double curvatureFloor) {
            this.ridge = ridge;
            this.curvatureFloor = curvatureFloor;
        }
    }

    /**
     * Fits on rows of features with unit row weights, by full Newton steps ({@link Damping#NONE}).
     *
     * @param features      rows of features, no intercept column, all of one length
     * @param targets       targets in [0, 1], one per row
     * @param l2            the penalty on the weights, {@code >= 0}
     * @param maxIterations the most Newton iterations
     * @return the weights, then the intercept last
     */
    public static double[] fit(double[][] features, double[] targets, double l2, int maxIterations) {
        int d = features[0].length;
        double[][] z = new double[features.length][];
        double[] rowWeights = new double[features.length];
        for (int i = 0; i < features.length; i++) {
            z[i] = Arrays.copyOf(features[i], d + 1);
            z[i][d] = 1;
            rowWeights[i] = 1;
        }
        return fit(z, targets, rowWeights, l2, maxIterations, Damping.NONE);
    }

    /**
     * Fits on a design matrix whose last column is the intercept's (all ones), as the class comment describes.
     *
     * @param z             the design rows, intercept column last
     * @param targets       targets in [0, 1], one per row
     * @param rowWeights    {@code c_i}, one per row, {@code >= 0}
     * @param l2            the penalty on the weights (every column but the last), {@code >= 0}
     * @param maxIterations the most Newton iterations
     * @param damping       how steps are taken and when the fit stops
     * @return {@code theta}: the weights, then the intercept last
     */
    public static double[] fit(double[][] z, double[] targets, double[] rowWeights, double l2, int maxIterations,
                               Damping damping) {
        int n = z.length;
        int d = z[0].length - 1;
        boolean halving = damping == Damping.STEP_HALVING;
        double[] theta = new double[d + 1];
        double loss = halving ? loss(z, targets, rowWeights, theta, l2) : Double.NaN;
        boolean throughRows = d + 1 > n && l2 > 0;
        double[][] gram = throughRows ? gram(z, d) : null;
        for (int iteration = 0; iteration < maxIterations; iteration++) {
            double[] gradient = new double[d + 1];
            double[] curvature = new double[n];
            for (int i = 0; i < n; i++) {
                double p = sigmoid(dot(z[i], theta));
                double g = rowWeights[i] * (p - targets[i]);
                curvature[i] = rowWeights[i] * Math.max(p * (1 - p), damping.curvatureFloor);
                double[] row = z[i];
                for (int a = 0; a <= d; a++) {
                    gradient[a] += g * row[a];
                }
            }
            for (int a = 0; a < d; a++) {
                gradient[a] += l2 * theta[a];
            }
            double[] step = throughRows ? newtonStepThroughRows(z, curvature, gradient, l2 + damping.ridge, gram)
                    : newtonStep(z, curvature, gradient, l2 + damping.ridge);
            if (!halving) {
                double largest = 0;
                for (int a = 0; a <= d; a++) {
                    theta[a] -= step[a];
                    largest = Math.max(largest, Math.abs(step[a]));
                }
                if (largest < STEP_TOLERANCE) {
                    break;
                }
                continue;
            }
            double stepSize = 1;
            double[] next = new double[d + 1];
            double nextLoss = Double.POSITIVE_INFINITY;
            for (int halvings = 0; halvings < HALVINGS; halvings++) {
                for (int a = 0; a <= d; a++) {
                    next[a] = theta[a] - stepSize * step[a];
                }
                nextLoss = loss(z, targets, rowWeights, next, l2);
                if (nextLoss <= loss) {
                    break;
                }
                stepSize /= 2;
            }
            if (!(nextLoss <= loss)) {
                break;
            }
            double change = loss - nextLoss;
            theta = next.clone();
            loss = nextLoss;
            if (change < LOSS_TOLERANCE) {
                break;
            }
        }
        return theta;
    }

    /**
     * The Newton step {@code H^-1 gradient} for the penalised log-loss, {@code H = Z^T W Z + l2 I} on the weights
     * (the intercept, {@code z}'s last column, is not penalised; {@code 1e-9} keeps its pivot positive),
     * {@code W = diag(curvature)}.
     */
    public static double[] newtonStep(double[][] z, double[] curvature, double[] gradient, double l2) {
        int d = gradient.length - 1;
        double[][] hessian = new double[d + 1][d + 1];
        for (int i = 0; i < z.length; i++) {
            double[] row = z[i];
            for (int a = 0; a <= d; a++) {
                double hr = curvature[i] * row[a];
                double[] hessianRow = hessian[a];
                for (int b = 0; b <= a; b++) {
                    hessianRow[b] += hr * row[b];
                }
            }
        }
        for (int a = 0; a < d; a++) {
            hessian[a][a] += l2;
        }
        hessian[d][d] += 1e-9;
        return Cholesky.solve(hessian, gradient);
    }

    /**
     * The same step as {@link #newtonStep}, solved through the rows (requires {@code l2 > 0}): with {@code X} the
     * weight columns of {@code z} and {@code A = X^T W X + l2 I}, Woodbury's identity gives
     * {@code A^-1 v = (v - X^T (XX^T + l2 W^-1)^-1 X v) / l2}, and the intercept is eliminated by its Schur
     * complement.
     *
     * @param gram {@code XX^T}, lower triangle at least ({@link #gram})
     */
    public static double[] newtonStepThroughRows(double[][] z, double[] curvature, double[] gradient, double l2,
                                                 double[][] gram) {
        int n = z.length;
        int d = gradient.length - 1;
        double[][] system = new double[n][];
        for (int i = 0; i < n; i++) {
            system[i] = Arrays.copyOf(gram[i], i + 1);
            system[i][i] += l2 / curvature[i];
        }
        Cholesky.Factor factor = Cholesky.factor(system);
        double[] biasColumn = new double[d];
        double biasCurvature = 1e-9;
        for (int i = 0; i < n; i++) {
            biasCurvature += curvature[i];
            for (int a = 0; a < d; a++) {
                biasColumn[a] += curvature[i] * z[i][a];
            }
        }
        double[] weightGradient = Arrays.copyOf(gradient, d);
        double[] inverseGradient = solveWeightBlock(z, factor, weightGradient, l2);
        double[] inverseBias = solveWeightBlock(z, factor, biasColumn, l2);
        double biasStep = (gradient[d] - dot(biasColumn, inverseGradient))
                / (biasCurvature - dot(biasColumn, inverseBias));
        double[] step = new double[d + 1];
        for (int a = 0; a < d; a++) {
            step[a] = inverseGradient[a] - biasStep * inverseBias[a];
        }
        step[d] = biasStep;
        return step;
    }

    /** {@code A^-1 v} by Woodbury's identity; see {@link #newtonStepThroughRows}. */
    private static double[] solveWeightBlock(double[][] z, Cholesky.Factor factor, double[] v, double l2) {
        int d = v.length;
        double[] projected = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            projected[i] = dot(v, z[i]);
        }
        double[] y = factor.solve(projected);
        double[] result = v.clone();
        for (int i = 0; i < z.length; i++) {
            for (int a = 0; a < d; a++) {
                result[a] -= z[i][a] * y[i];
            }
        }
        for (int a = 0; a < d; a++) {
            result[a] /= l2;
        }
        return result;
    }

    /** {@code XX^T} over the first {@code d} columns of {@code z}, lower triangle. */
    public static double[][] gram(double[][] z, int d) {
        double[][] gram = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            gram[i] = new double[i + 1];
            for (int j = 0; j <= i; j++) {
                double sum = 0;
                for (int a = 0; a < d; a++) {
                    sum += z[i][a] * z[j][a];
                }
                gram[i][j] = sum;
            }
        }
        return gram;
    }

    private static double loss(double[][] z, double[] targets, double[] rowWeights, double[] theta, double l2) {
        double loss = 0;
        for (int i = 0; i < z.length; i++) {
            double margin = dot(z[i], theta);
            // log(1 + e^m) - t m, computed without overflow
            double softplus = margin > 0 ? margin + Math.log1p(Math.exp(-margin)) : Math.log1p(Math.exp(margin));
            loss += rowWeights[i] * (softplus - targets[i] * margin);
        }
        double penalty = 0;
        for (int a = 0; a < theta.length - 1; a++) {
            penalty += theta[a] * theta[a];
        }
        return loss + l2 / 2 * penalty;
    }

    /** The dot product over {@code row}'s length. */
    private static double dot(double[] row, double[] theta) {
        double sum = 0;
        for (int a = 0; a < row.length; a++) {
            sum += row[a] * theta[a];
        }
        return sum;
    }
}
