package dev.reasoningsdk.impl.confidence;

import dev.reasoningsdk.impl.internal.LogisticRegression;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Platt scaling (Platt, 1999): {@code p = sigmoid(slope * score + intercept)}, fitted by logistic regression on
 * Platt's smoothed targets ({@code (N+ + 1) / (N+ + 2)} for correct, {@code 1 / (N- + 2)} for wrong), which keep the
 * fit finite on separable data. The slope is constrained to be non-negative so the calibrator stays monotone; when
 * the unconstrained fit would reverse the ranking, the calibrator is the constant base rate.
 *
 * @param slope     non-negative
 * @param intercept finite
 */
public record PlattCalibrator(double slope, double intercept) implements FittedCalibrator {

    private static final int MAX_ITERATIONS = 100;

    /** @throws IllegalArgumentException if the slope is negative or a parameter is not finite */
    public PlattCalibrator {
        if (!(slope >= 0) || !Double.isFinite(slope) || !Double.isFinite(intercept)) {
            throw new IllegalArgumentException(
                    "Platt slope must be finite and >= 0 and intercept finite, were " + slope + ", " + intercept);
        }
    }

    /** Fits on labelled scores. */
    public static PlattCalibrator fit(LabelledScores data) {
        int positives = data.positives();
        int negatives = data.size() - positives;
        double high = (positives + 1.0) / (positives + 2.0);
        double low = 1.0 / (negatives + 2.0);
        double[][] features = new double[data.size()][];
        double[] targets = new double[data.size()];
        for (int i = 0; i < data.size(); i++) {
            features[i] = new double[] {data.score(i)};
            targets[i] = data.isCorrect(i) ? high : low;
        }
        double[] beta = LogisticRegression.fit(features, targets, 1e-6, MAX_ITERATIONS);
        if (beta[0] < 0) {
            double meanTarget = java.util.Arrays.stream(targets).average().orElse(0.5);
            return new PlattCalibrator(0, LogisticRegression.logit(meanTarget));
        }
        return new PlattCalibrator(beta[0], beta[1]);
    }

    @Override
    public double calibrate(double rawScore) {
        if (Double.isNaN(rawScore)) {
            throw new IllegalArgumentException("raw score is NaN");
        }
        return LogisticRegression.sigmoid(slope * rawScore + intercept);
    }

    @Override
    @JsonIgnore
    public String name() {
        return "platt";
    }
}
