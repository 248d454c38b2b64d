package dev.reasoningsdk.impl.internal;

import java.util.Arrays;
import java.util.Objects;

/**
 * Rank-based metrics of scores against binary labels, shared by the retrieval heads' {@code BinaryMetrics} and the
 * confidence metrics so that both report the same figure for the same input. Not API.
 */
public final class RankMetrics {

    private RankMetrics() {
    }

    /**
     * The area under the ROC curve: the Mann-Whitney statistic with midranks, i.e. the chance that a random positive
     * scores higher than a random negative, ties counting one half.
     *
     * <p>With a single class (no positive or no negative) the area is undefined and the result is {@code NaN}: 0.5
     * would read as "no better than chance", a claim the input cannot support. Callers that print or serialise it
     * must cope with {@code NaN} (Jackson writes it as the string {@code "NaN"} by default).
     *
     * @param scores   the scores; any finite or infinite value
     * @param positive whether each scored example is positive, aligned with {@code scores}
     * @return the area in [0, 1], or {@code NaN} when a class is absent
     * @throws IllegalArgumentException if the arrays differ in length, are empty, or a score is NaN
     */
    public static double auroc(double[] scores, boolean[] positive) {
        Objects.requireNonNull(scores, "scores");
        Objects.requireNonNull(positive, "positive");
        if (scores.length != positive.length) {
            throw new IllegalArgumentException("scores (" + scores.length + ") and labels (" + positive.length
                    + ") differ in length");
        }
        if (scores.length == 0) {
            throw new IllegalArgumentException("no scores: AUROC needs at least one labelled score");
        }
        int n = scores.length;
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is NaN");
            }
        }
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        // Every rank is a whole or half number, so the sum is exact in any order.
        double positiveRankSum = 0;
        long positives = 0;
        int start = 0;
        while (start < n) {
            int end = start + 1;
            while (end < n && scores[order[end]] == scores[order[start]]) {
                end++;
            }
            double midRank = (start + 1 + end) / 2.0;
            for (int k = start; k < end; k++) {
                if (positive[order[k]]) {
                    positiveRankSum += midRank;
                    positives++;
                }
            }
            start = end;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }
}
