package dev.reasoningsdk.api.confidence;

/**
 * Maps a raw confidence score to a calibrated probability of being correct. Built-ins: Platt scaling, isotonic
 * regression and temperature scaling, fitted on labelled data. Calibrators are immutable once fitted and
 * monotone non-decreasing in the raw score.
 */
public interface Calibrator {

    /**
     * @param rawScore the estimator's raw score
     * @return a probability in [0, 1]
     * @throws IllegalArgumentException if {@code rawScore} is NaN
     */
    double calibrate(double rawScore);

    /** A short stable name, e.g. {@code "platt"}. */
    String name();
}
