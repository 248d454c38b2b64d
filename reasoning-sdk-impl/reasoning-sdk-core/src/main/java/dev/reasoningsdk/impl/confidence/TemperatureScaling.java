package dev.reasoningsdk.impl.confidence;

import dev.reasoningsdk.impl.internal.LogisticRegression;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Temperature scaling (Guo et al., 2017) for a confidence already in [0, 1]: {@code p = sigmoid(logit(score) / T)},
 * one parameter fitted by minimising the negative log-likelihood (golden-section search on {@code log T} over
 * [1e-3, 1e3]). Scores are clamped to [1e-6, 1 - 1e-6] first, so 0 and 1 stay finite. It rescales over- or
 * under-confidence without moving 0.5; it cannot fix a shifted base rate (use Platt or isotonic for that).
 *
 * @param temperature positive and finite
 */
public record TemperatureScaling(double temperature) implements FittedCalibrator {

    private static final double EPSILON = 1e-6;

    /** @throws IllegalArgumentException if the temperature is not positive and finite */
    public TemperatureScaling {
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and > 0, was " + temperature);
        }
    }

    /**
     * Fits the temperature on labelled scores in [0, 1].
     *
     * @throws IllegalArgumentException if a score is outside [0, 1]: clamped to its end, every raw score above 1
     *                                  (a logit, a verbalized 1 to 10) would be fitted as the same certainty
     */
    public static TemperatureScaling fit(LabelledScores data) {
        for (int i = 0; i < data.size(); i++) {
            if (!(data.score(i) >= 0 && data.score(i) <= 1)) {
                throw new IllegalArgumentException("temperature scaling fits confidences in [0, 1]; score " + i
                        + " is " + data.score(i) + " (use Platt or isotonic for raw scores)");
            }
        }
        double low = Math.log(1e-3);
        double high = Math.log(1e3);
        double ratio = (Math.sqrt(5) - 1) / 2;
        double a = high - ratio * (high - low);
        double b = low + ratio * (high - low);
        double fa = negativeLogLikelihood(data, Math.exp(a));
        double fb = negativeLogLikelihood(data, Math.exp(b));
        for (int i = 0; i < 100 && high - low > 1e-9; i++) {
            if (fa <= fb) {
                high = b;
                b = a;
                fb = fa;
                a = high - ratio * (high - low);
                fa = negativeLogLikelihood(data, Math.exp(a));
            } else {
                low = a;
                a = b;
                fa = fb;
                b = low + ratio * (high - low);
                fb = negativeLogLikelihood(data, Math.exp(b));
            }
        }
        return new TemperatureScaling(Math.exp((low + high) / 2));
    }

    @Override
    public double calibrate(double rawScore) {
        if (Double.isNaN(rawScore)) {
            throw new IllegalArgumentException("raw score is NaN");
        }
        return scaled(rawScore, temperature);
    }

    @Override
    @JsonIgnore
    public String name() {
        return "temperature";
    }

    private static double scaled(double score, double temperature) {
        double clamped = Math.min(1 - EPSILON, Math.max(EPSILON, score));
        return LogisticRegression.sigmoid(LogisticRegression.logit(clamped) / temperature);
    }

    private static double negativeLogLikelihood(LabelledScores data, double temperature) {
        double sum = 0;
        for (int i = 0; i < data.size(); i++) {
            double p = Math.min(1 - 1e-15, Math.max(1e-15, scaled(data.score(i), temperature)));
            sum -= data.isCorrect(i) ? Math.log(p) : Math.log(1 - p);
        }
        return sum;
    }
}
