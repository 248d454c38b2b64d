package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.impl.internal.RankMetrics;
import java.util.List;

/**
 * Figures of a binary classifier on labelled examples, beside the majority-class baseline.
 *
 * @param examples         how many examples were scored
 * @param positives        how many of them were labelled positive
 * @param accuracy         fraction classified correctly at the threshold
 * @param macroF1          the mean of the positive and negative classes' F1
 * @param auroc            area under the ROC curve of the scores (ties count one half); {@code NaN}
 *                         when a class is absent, since the area is undefined then
 * @param majorityAccuracy accuracy of always answering the more frequent class
 * @param majorityMacroF1  macro F1 of that constant answer
 */
public record BinaryMetrics(int examples, int positives, double accuracy, double macroF1, double auroc,
                            double majorityAccuracy, double majorityMacroF1) {

    /** @throws IllegalArgumentException if counts are inconsistent */
    public BinaryMetrics {
        if (examples < 0 || positives < 0 || positives > examples) {
            throw new IllegalArgumentException("bad counts: " + positives + " positives of " + examples);
        }
    }

    /**
     * Scores {@code scores} against {@code labels}, predicting positive when a score is at least {@code threshold}.
     *
     * @throws IllegalArgumentException if the lists differ in length or are empty
     */
    public static BinaryMetrics compute(List<Double> scores, List<Boolean> labels, double threshold) {
        if (scores.size() != labels.size()) {
            throw new IllegalArgumentException("scores and labels differ in length: " + scores.size() + " vs "
                    + labels.size());
        }
        if (scores.isEmpty()) {
            throw new IllegalArgumentException("no examples to score");
        }
        int n = scores.size();
        int tp = 0;
        int tn = 0;
        int fp = 0;
        int fn = 0;
        for (int i = 0; i < n; i++) {
            boolean predicted = scores.get(i) >= threshold;
            boolean actual = labels.get(i);
            if (predicted && actual) {
                tp++;
            } else if (predicted) {
                fp++;
            } else if (actual) {
                fn++;
            } else {
                tn++;
            }
        }
        int positives = tp + fn;
        int negatives = n - positives;
        boolean majorityPositive = positives >= negatives;
        double majorityAccuracy = Math.max(positives, negatives) / (double) n;
        double majorityF1 = majorityPositive
                ? (f1(positives, negatives, 0) + f1(0, 0, positives)) / 2
                : (f1(0, 0, negatives) + f1(negatives, positives, 0)) / 2;
        double macroF1 = (f1(tp, fp, fn) + f1(tn, fn, fp)) / 2;
        return new BinaryMetrics(n, positives, (tp + tn) / (double) n, macroF1, auroc(scores, labels),
                majorityAccuracy, majorityF1);
    }

    /** F1 of one class from its true positives, false positives and false negatives; 0 when undefined. */
    private static double f1(int truePositives, int falsePositives, int falseNegatives) {
        int denominator = 2 * truePositives + falsePositives + falseNegatives;
        return denominator == 0 ? 0 : 2.0 * truePositives / denominator;
    }

    /**
     * The area under the ROC curve of {@code scores} for the positive label, ties counting one half; {@code NaN}
     * when a class is absent (see {@link RankMetrics#auroc}).
     *
     * @throws IllegalArgumentException if the lists differ in length, are empty, or a score is NaN
     */
    public static double auroc(List<Double> scores, List<Boolean> labels) {
        boolean[] positive = new boolean[labels.size()];
        for (int i = 0; i < positive.length; i++) {
            positive[i] = labels.get(i);
        }
        return RankMetrics.auroc(scores.stream().mapToDouble(Double::doubleValue).toArray(), positive);
    }
}
