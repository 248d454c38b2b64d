package dev.reasoningsdk.impl.onnx;

import dev.reasoningsdk.api.model.GenerationOptions;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws the next token from one row of logits: greedy (argmax) at temperature 0, otherwise softmax at the
 * temperature, restricted by top-k and then top-p (nucleus, Holtzman et al. 2020), then one uniform draw. Also
 * gives the chosen token's log-probability under the unmodified distribution (temperature 1), which is what
 * token-level confidence needs whatever the sampling settings were.
 *
 * <p>One instance per row and generation: it owns that row's random stream, seeded so that row {@code r} of a
 * generation seeded {@code s} draws exactly what row 0 of a generation seeded {@code s + r} draws. Not thread-safe.
 */
final class TokenSampler {

    private final GenerationOptions options;
    private final SplittableRandom random;
    private final double[] weights;
    private final Integer[] order;

    TokenSampler(GenerationOptions options, int row, int vocabularySize) {
        this.options = options;
        this.random = new SplittableRandom(mix64(options.seed() + row));
        this.weights = new double[vocabularySize];
        this.order = new Integer[vocabularySize];
    }

    /** Chooses the next token from {@code logits[offset .. offset + vocabularySize)}. */
    int next(float[] logits, int offset) {
        int size = weights.length;
        if (options.temperature() == 0) {
            return argmax(logits, offset, size);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double inverseTemperature = 1.0 / options.temperature();
        for (int i = 0; i < size; i++) {
            weights[i] = Math.exp((logits[offset + i] - max) * inverseTemperature);
        }
        if (options.topK() > 0 && options.topK() < size || options.topP() < 1) {
            truncate();
        }
        double total = 0;
        for (double weight : weights) {
            total += weight;
        }
        double target = random.nextDouble() * total;
        double cumulative = 0;
        int last = 0;
        for (int i = 0; i < size; i++) {
            if (weights[i] > 0) {
                cumulative += weights[i];
                last = i;
                if (target < cumulative) {
                    return i;
                }
            }
        }
        // Rounding can leave the target a hair above the final cumulative sum.
        return last;
    }

    /**
     * Chooses the next token of {@code row} from its largest logits only, drawing exactly what {@link #next} draws
     * from the full row: greedy takes the first; sampling needs top-k on ({@code top.k() >= topK}), because the
     * weights {@link #next} keeps are those of the top-k tokens, ordered as {@code top} orders them (largest
     * first, the lower id on ties, as its stable sort does); the draw then walks them by id, as {@link #next} does.
     */
    int next(Decoder.Top top, int row) {
        int offset = row * top.k();
        if (options.temperature() == 0) {
            return top.ids()[offset];
        }
        if (options.topK() <= 0 || options.topK() > top.k()) {
            throw new IllegalStateException("sampling from the top " + top.k() + " tokens needs top-k <= " + top.k()
                    + ", was " + options.topK());
        }
        double max = top.logits()[offset];
        double inverseTemperature = 1.0 / options.temperature();
        int keep = options.topK();
        for (int i = 0; i < keep; i++) {
            weights[i] = Math.exp((top.logits()[offset + i] - max) * inverseTemperature);
        }
        if (options.topP() < 1) {
            keep = nucleus(keep);
        }
        // The kept tokens by id: the order in which next() sums and walks the weights.
        Integer[] byId = new Integer[keep];
        for (int i = 0; i < keep; i++) {
            byId[i] = i;
        }
        Arrays.sort(byId, (a, b) -> Integer.compare(top.ids()[offset + a], top.ids()[offset + b]));
        double total = 0;
        for (int i = 0; i < keep; i++) {
            total += weights[byId[i]];
        }
        double target = random.nextDouble() * total;
        double cumulative = 0;
        int last = 0;
        for (int i = 0; i < keep; i++) {
            double weight = weights[byId[i]];
            if (weight > 0) {
                cumulative += weight;
                last = top.ids()[offset + byId[i]];
                if (target < cumulative) {
                    return last;
                }
            }
        }
        return last;
    }

    /** How many of the first {@code keep} weights, sorted largest first, the top-p mass needs. */
    private int nucleus(int keep) {
        double total = 0;
        for (int i = 0; i < keep; i++) {
            total += weights[i];
        }
        double cumulative = 0;
        for (int i = 0; i < keep; i++) {
            cumulative += weights[i];
            if (cumulative >= options.topP() * total) {
                return i + 1;
            }
        }
        return keep;
    }

    /** Zeroes the weights outside the top-k and outside the smallest set whose mass reaches top-p. */
    private void truncate() {
        int size = weights.length;
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(weights[b], weights[a]));
        int keep = options.topK() > 0 ? Math.min(options.topK(), size) : size;
        if (options.topP() < 1) {
            double total = 0;
            for (int i = 0; i < keep; i++) {
                total += weights[order[i]];
            }
            double cumulative = 0;
            for (int i = 0; i < keep; i++) {
                cumulative += weights[order[i]];
                if (cumulative >= options.topP() * total) {
                    keep = i + 1;
                    break;
                }
            }
        }
        for (int i = keep; i < size; i++) {
            weights[order[i]] = 0;
        }
    }

    /** The natural-log probability of {@code token} under softmax of the logits at temperature 1. */
    static float logProbability(float[] logits, int offset, int size, int token) {
        double max = max(logits, offset, size);
        return (float) (logits[offset + token] - max - logSumExp(logits, offset, size, max));
    }

    /**
     * The {@code k} most likely tokens under softmax of the logits at temperature 1, most likely first (ties: the
     * lower id first), each with its log-probability computed exactly as {@link #logProbability} computes it.
     *
     * @return {@code ids[0..k)} and {@code logProbs[0..k)} filled; {@code k} at most the vocabulary size
     */
    static int top(float[] logits, int offset, int size, int k, int[] ids, float[] logProbs) {
        int count = Math.min(k, size);
        if (count < 1) {
            return 0;
        }
        double max = max(logits, offset, size);
        double logSum = logSumExp(logits, offset, size, max);
        // Insertion into a short sorted list, O(vocabulary x k) at worst: k is small (OpenAI's top_logprobs stop at
        // 20).
        int filled = 0;
        for (int token = 0; token < size; token++) {
            float logit = logits[offset + token];
            if (filled == count && !(logit > logits[offset + ids[count - 1]])) {
                continue;
            }
            int at = Math.min(filled, count - 1);
            while (at > 0 && logit > logits[offset + ids[at - 1]]) {
                ids[at] = ids[at - 1];
                at--;
            }
            ids[at] = token;
            filled = Math.min(filled + 1, count);
        }
        for (int i = 0; i < count; i++) {
            logProbs[i] = (float) (logits[offset + ids[i]] - max - logSum);
        }
        return count;
    }

    private static double max(float[] logits, int offset, int size) {
        // A float compare, not Math.max on doubles (whose NaN and -0 handling costs a third of a 151,936-logit row);
        // a NaN logit still gives a NaN log-probability, through the sum of exponentials.
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            float logit = logits[offset + i];
            if (logit > max) {
                max = logit;
            }
        }
        return max;
    }

    /** {@code log(sum exp(logit - max))}, the log of softmax's denominator after shifting by the largest logit. */
    private static double logSumExp(float[] logits, int offset, int size, double max) {
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        return Math.log(sum);
    }

    /** The index of the largest logit; the first one on ties, as PyTorch's argmax on CPU. */
    static int argmax(float[] logits, int offset, int size) {
        int best = 0;
        // The best value kept in a local: re-reading logits[offset + best] each time measured twice as slow.
        float bestLogit = logits[offset];
        for (int i = 1; i < size; i++) {
            float logit = logits[offset + i];
            if (logit > bestLogit) {
                best = i;
                bestLogit = logit;
            }
        }
        return best;
    }

    /** Stafford's Mix13 finaliser: nearby seeds give unrelated streams. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
