package dev.reasoningsdk.impl.merge;

import java.util.Arrays;
import java.util.Objects;

/**
 * One evaluated ratio assignment of a {@link HeterogeneousModelAveraging} search.
 *
 * @param ratios     the share of the base model per group
 * @param scores     what the evaluator measured
 * @param evaluation the 1-based index of the evaluation that measured it
 */
public record HmaPoint(double[] ratios, RatioEvaluator.Scores scores, int evaluation) {

    /** @throws NullPointerException if an argument is null */
    public HmaPoint {
        ratios = ratios.clone();
        Objects.requireNonNull(scores, "scores");
    }

    @Override
    public double[] ratios() {
        return ratios.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HmaPoint p && Arrays.equals(ratios, p.ratios) && scores.equals(p.scores)
                && evaluation == p.evaluation;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(ratios), scores, evaluation);
    }

    @Override
    public String toString() {
        return "HmaPoint" + Arrays.toString(ratios) + " " + scores + " #" + evaluation;
    }
}
