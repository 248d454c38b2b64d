package dev.reasoningsdk.impl.confidence;

import java.util.Arrays;
import java.util.Objects;

/**
 * Confidence scores paired with whether the answer they score was correct: the input of every metric, calibrator
 * fit and threshold choice. Immutable.
 */
public final class LabelledScores {

    private final double[] scores;
    private final boolean[] correct;

    private LabelledScores(double[] scores, boolean[] correct) {
        this.scores = scores;
        this.correct = correct;
    }

    /**
     * @param scores  confidence scores, finite (not necessarily in [0, 1] for fitting; metrics that need
     *                probabilities check that themselves)
     * @param correct whether each scored answer was correct, aligned with {@code scores}
     * @throws IllegalArgumentException if the arrays are empty, differ in length, or a score is NaN or infinite
     */
    public static LabelledScores of(double[] scores, boolean[] correct) {
        Objects.requireNonNull(scores, "scores");
        Objects.requireNonNull(correct, "correct");
        if (scores.length == 0) {
            throw new IllegalArgumentException("no labelled scores: at least one (score, correct) pair is needed");
        }
        if (scores.length != correct.length) {
            throw new IllegalArgumentException(
                    "scores (" + scores.length + ") and labels (" + correct.length + ") differ in length");
        }
        for (int i = 0; i < scores.length; i++) {
            if (!Double.isFinite(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is not finite: " + scores[i]);
            }
        }
        return new LabelledScores(scores.clone(), correct.clone());
    }

    /** How many pairs. */
    public int size() {
        return scores.length;
    }

    /** A copy of the scores. */
    public double[] scores() {
        return scores.clone();
    }

    /** A copy of the labels. */
    public boolean[] correct() {
        return correct.clone();
    }

    /** The score at {@code i}. */
    public double score(int i) {
        return scores[i];
    }

    /** Whether the answer at {@code i} was correct. */
    public boolean isCorrect(int i) {
        return correct[i];
    }

    /** How many answers were correct. */
    public int positives() {
        return positives(correct);
    }

    /** How many of {@code correct} are true: the count of correct answers, for labels not yet paired with scores. */
    static int positives(boolean[] correct) {
        int count = 0;
        for (boolean c : correct) {
            if (c) {
                count++;
            }
        }
        return count;
    }

    /** The same labels with the scores mapped, e.g. through a calibrator. */
    public LabelledScores mapScores(java.util.function.DoubleUnaryOperator mapping) {
        return of(Arrays.stream(scores).map(mapping).toArray(), correct);
    }

    /** The pairs at indices {@code from} (inclusive) to {@code to} (exclusive). */
    public LabelledScores slice(int from, int to) {
        return of(Arrays.copyOfRange(scores, from, to), Arrays.copyOfRange(correct, from, to));
    }

    /** Indices sorted by descending score (stable, so equal scores keep their input order). */
    int[] indicesByDescendingScore() {
        return java.util.stream.IntStream.range(0, scores.length).boxed()
                .sorted((a, b) -> Double.compare(scores[b], scores[a]))
                .mapToInt(Integer::intValue).toArray();
    }
}
