package dev.reasoningsdk.impl.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * What the trainers' k-fold cross-validation shares: the assignment of rows to folds, the spread of a figure over
 * folds, and the four decimals figures are recorded with.
 */
final class CrossValidation {

    private CrossValidation() {
    }

    /** Row {@code i}'s fold: a shuffle of the rows with {@code seed}, dealt round-robin into {@code folds}. */
    static int[] folds(int rows, int folds, long seed) {
        List<Integer> order = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        int[] fold = new int[rows];
        for (int i = 0; i < rows; i++) {
            fold[order.get(i)] = i % folds;
        }
        return fold;
    }

    /** The sample standard deviation of {@code values} (0 for a single value). */
    static double standardDeviation(double[] values) {
        double mean = Arrays.stream(values).average().orElse(0);
        double squares = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum();
        return Math.sqrt(squares / Math.max(1, values.length - 1));
    }

    /** {@code value} to four decimals, as provenance records figures; NaN stays NaN. */
    static double round(double value) {
        return Double.isNaN(value) ? value : Math.round(value * 10000) / 10000.0;
    }
}
