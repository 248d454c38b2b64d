package dev.reasoningsdk.impl.confidence;

import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import java.util.Objects;

/**
 * Abstains below a confidence threshold: the answer is given when the (calibrated) confidence is at least the
 * threshold, and otherwise the refusal text ("I don't know.") followed by the rationale. Selective prediction
 * (El-Yaniv and Wiener, 2010); R-Tuning (Zhang et al., 2024) motivates refusing what the model does not know.
 * {@link #thresholdForAccuracy} picks the threshold that reaches a target accuracy on labelled data.
 *
 * @param threshold answer when {@code confidence >= threshold}; in [0, 1] (0 never refuses), or just above 1
 *                  ({@link Math#nextUp(double) nextUp(1)}) to refuse everything
 * @param refusal   what is said instead of the answer
 */
public record RefusalPolicy(double threshold, String refusal) {

    /** The default refusal text. */
    public static final String I_DONT_KNOW = "I don't know.";

    /** @throws IllegalArgumentException if the threshold is NaN, negative or above {@code nextUp(1)} */
    public RefusalPolicy {
        if (!(threshold >= 0 && threshold <= Math.nextUp(1.0))) {
            throw new IllegalArgumentException("threshold must be in [0, 1], was " + threshold);
        }
        Objects.requireNonNull(refusal, "refusal");
    }

    /** Refuses below {@code threshold} with "I don't know.". */
    public static RefusalPolicy atThreshold(double threshold) {
        return new RefusalPolicy(threshold, I_DONT_KNOW);
    }

    /** Whether an answer with this confidence is given. */
    public boolean answers(double confidence) {
        return confidence >= threshold;
    }

    /**
     * Decides on one estimate. An estimate without an answer is always refused.
     *
     * @param answerText the text to give when answering (the model's response, or just the answer)
     */
    public Decision decide(ConfidenceEstimate estimate, String answerText) {
        Objects.requireNonNull(estimate, "estimate");
        Objects.requireNonNull(answerText, "answerText");
        boolean answer = estimate.answer().isPresent() && answers(estimate.confidence());
        String text = answer ? answerText : refusal + " " + estimate.rationale();
        return new Decision(!answer, text, estimate);
    }

    /**
     * The lowest threshold (the most answers kept) at which the answers kept, those scored at or above it, are at
     * least {@code targetAccuracy} correct. Candidate thresholds are the distinct scores. When no threshold reaches
     * the target, the choice refuses everything, on these data and on any other: threshold {@code nextUp(1)}, above
     * every confidence, coverage 0, accuracy {@code NaN}, {@code reached} false.
     *
     * @throws IllegalArgumentException if {@code targetAccuracy} is not in (0, 1] or the data is empty
     */
    public static ThresholdChoice thresholdForAccuracy(LabelledScores data, double targetAccuracy) {
        if (!(targetAccuracy > 0 && targetAccuracy <= 1)) {
            throw new IllegalArgumentException("target accuracy must be in (0, 1], was " + targetAccuracy);
        }
        ThresholdChoice best = null;
        for (ConfidenceMetrics.RiskCoveragePoint point : ConfidenceMetrics.riskCoverageCurve(data)) {
            // Compare with a little slack so 0.9 of 10 answers counts as reaching 0.9 despite rounding.
            if (1 - point.risk() >= targetAccuracy - 1e-12) {
                best = new ThresholdChoice(point.threshold(), 1 - point.risk(), point.coverage(), true);
            }
        }
        if (best != null) {
            return best;
        }
        // Not just above the highest score seen: a later answer scored above it would be given, though no
        // threshold reached the target on the data it was chosen on.
        return new ThresholdChoice(Math.nextUp(1.0), Double.NaN, 0, false);
    }

    /**
     * What the policy did with one estimate.
     *
     * @param refused  whether it abstained
     * @param text     the answer text, or the refusal with the rationale
     * @param estimate the estimate the decision was made on
     */
    public record Decision(boolean refused, String text, ConfidenceEstimate estimate) {
        /** @throws NullPointerException if text or estimate is null */
        public Decision {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(estimate, "estimate");
        }
    }

    /**
     * A threshold chosen on labelled data and what it achieved there.
     *
     * @param threshold answer at or above it
     * @param accuracy  accuracy of the answers kept ({@code NaN} when none are)
     * @param coverage  share of answers kept
     * @param reached   whether the target accuracy was reached
     */
    public record ThresholdChoice(double threshold, double accuracy, double coverage, boolean reached) {
    }
}
