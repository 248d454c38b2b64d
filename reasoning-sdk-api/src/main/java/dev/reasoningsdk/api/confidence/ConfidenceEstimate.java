package dev.reasoningsdk.api.confidence;

import dev.reasoningsdk.api.Usage;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A confidence for one answer, the signals behind it, and a rationale a person can read.
 *
 * @param answer     the answer the confidence is about; empty when no answer could be extracted
 * @param confidence in [0, 1]; raw unless the estimator was given a calibrator
 * @param rationale  a short self-reflective explanation, e.g. "6 of 10 chains reach 32; 3 reach 28"
 * @param method     the estimator's name
 * @param signals    named raw signals (e.g. {@code agreement}, {@code entropy}, {@code mean_token_probability})
 * @param usage      samples, model calls, tokens and wall time spent
 */
public record ConfidenceEstimate(Optional<String> answer, double confidence, String rationale, String method,
                                 Map<String, Double> signals, Usage usage) {

    /** @throws IllegalArgumentException if the confidence is outside [0, 1] or NaN */
    public ConfidenceEstimate {
        Objects.requireNonNull(answer, "answer");
        if (!(confidence >= 0 && confidence <= 1)) {
            throw new IllegalArgumentException("confidence must be in [0, 1], was " + confidence);
        }
        Objects.requireNonNull(rationale, "rationale");
        Objects.requireNonNull(method, "method");
        signals = Map.copyOf(signals);
        Objects.requireNonNull(usage, "usage");
    }

    /** This estimate with its confidence replaced (e.g. by a calibrated one). */
    public ConfidenceEstimate withConfidence(double newConfidence) {
        return new ConfidenceEstimate(answer, newConfidence, rationale, method, signals, usage);
    }
}
