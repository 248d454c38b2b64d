package dev.reasoningsdk.impl.confidence;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Isotonic regression (Zadrozny and Elkan, 2002) fitted by pool-adjacent-violators: the non-decreasing step
 * function of the score closest (least squares) to the 0/1 labels. Stored as the distinct training scores
 * ({@code thresholds}, ascending) and the fitted probability at each ({@code values}, non-decreasing, in [0, 1]);
 * between two thresholds the value is interpolated linearly, outside them it is the nearest end value.
 *
 * @param thresholds ascending, distinct, finite
 * @param values     non-decreasing probabilities, one per threshold
 */
public record IsotonicCalibrator(double[] thresholds, double[] values) implements FittedCalibrator {

    /** @throws IllegalArgumentException if the arrays are empty, differ in length, or break the ordering rules */
    public IsotonicCalibrator {
        thresholds = thresholds.clone();
        values = values.clone();
        if (thresholds.length == 0 || thresholds.length != values.length) {
            throw new IllegalArgumentException("isotonic calibrator needs equally many thresholds and values (>= 1)");
        }
        for (int i = 0; i < thresholds.length; i++) {
            if (!Double.isFinite(thresholds[i]) || !(values[i] >= 0 && values[i] <= 1)) {
                throw new IllegalArgumentException("isotonic point " + i + " is invalid: ("
                        + thresholds[i] + ", " + values[i] + ")");
            }
            if (i > 0 && (thresholds[i] <= thresholds[i - 1] || values[i] < values[i - 1])) {
                throw new IllegalArgumentException("isotonic thresholds must ascend and values must not decrease at "
                        + i);
            }
        }
    }

    /** Fits on labelled scores. */
    public static IsotonicCalibrator fit(LabelledScores data) {
        int[] order = data.indicesByDescendingScore();
        // Ascending distinct scores, each with its label sum and count: equal scores must get one value.
        List<double[]> blocks = new ArrayList<>();
        for (int k = order.length - 1; k >= 0; k--) {
            double score = data.score(order[k]);
            double label = data.isCorrect(order[k]) ? 1 : 0;
            double[] last = blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
            if (last != null && last[0] == score) {
                last[1] += label;
                last[2]++;
            } else {
                blocks.add(new double[] {score, label, 1});
            }
        }
        int points = blocks.size();
        double[] xs = new double[points];
        for (int i = 0; i < points; i++) {
            xs[i] = blocks.get(i)[0];
        }
        // Pool adjacent violators over the distinct scores: pooled[j] = {sum, count, first index}.
        List<double[]> pooled = new ArrayList<>();
        for (int i = 0; i < points; i++) {
            double[] current = {blocks.get(i)[1], blocks.get(i)[2], i};
            while (!pooled.isEmpty()) {
                double[] previous = pooled.get(pooled.size() - 1);
                if (previous[0] / previous[1] < current[0] / current[1]) {
                    break;
                }
                current = new double[] {previous[0] + current[0], previous[1] + current[1], previous[2]};
                pooled.remove(pooled.size() - 1);
            }
            pooled.add(current);
        }
        double[] ys = new double[points];
        for (int j = 0; j < pooled.size(); j++) {
            int from = (int) pooled.get(j)[2];
            int to = j + 1 < pooled.size() ? (int) pooled.get(j + 1)[2] : points;
            Arrays.fill(ys, from, to, pooled.get(j)[0] / pooled.get(j)[1]);
        }
        return new IsotonicCalibrator(xs, ys);
    }

    @Override
    public double calibrate(double rawScore) {
        if (Double.isNaN(rawScore)) {
            throw new IllegalArgumentException("raw score is NaN");
        }
        if (rawScore <= thresholds[0]) {
            return values[0];
        }
        int last = thresholds.length - 1;
        if (rawScore >= thresholds[last]) {
            return values[last];
        }
        int index = Arrays.binarySearch(thresholds, rawScore);
        if (index >= 0) {
            return values[index];
        }
        int upper = -index - 1;
        int lower = upper - 1;
        double weight = (rawScore - thresholds[lower]) / (thresholds[upper] - thresholds[lower]);
        return values[lower] + weight * (values[upper] - values[lower]);
    }

    @Override
    public double[] thresholds() {
        return thresholds.clone();
    }

    @Override
    public double[] values() {
        return values.clone();
    }

    @Override
    @JsonIgnore
    public String name() {
        return "isotonic";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IsotonicCalibrator that && Arrays.equals(thresholds, that.thresholds)
                && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(thresholds) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "IsotonicCalibrator[thresholds=" + Arrays.toString(thresholds) + ", values=" + Arrays.toString(values)
                + "]";
    }
}
