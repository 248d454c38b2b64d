package dev.reasoningsdk.impl.merge;

import dev.reasoningsdk.api.Usage;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of a {@link HeterogeneousModelAveraging} search.
 *
 * @param best        the point with the highest {@link RatioEvaluator.Scores#worst()} (ties: higher sum, then
 *                    earlier)
 * @param front       the evaluated points no other evaluated point dominates, by reward
 * @param history     every evaluated point in order
 * @param meanRatio   the fixed weighted mean of the ratios
 * @param usage       evaluator calls (as model calls) and wall time
 */
public record HmaResult(HmaPoint best, List<HmaPoint> front, List<HmaPoint> history, double meanRatio, Usage usage) {

    /** @throws NullPointerException if an argument is null */
    public HmaResult {
        Objects.requireNonNull(best, "best");
        front = List.copyOf(front);
        history = List.copyOf(history);
        Objects.requireNonNull(usage, "usage");
    }

    /** Evaluator calls spent. */
    public int evaluations() {
        return history.size();
    }
}
