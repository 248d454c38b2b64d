package dev.reasoningsdk.api;

import java.util.Objects;

/**
 * One reasoning chain: a model's full response to a question (steps and final answer), where it came from, and an
 * optional caller-supplied weight.
 *
 * @param text   the whole response text, from which an answer is extracted
 * @param source who produced it (a model name, a provider, a prompt variant); {@code ""} when unknown. Per-source
 *               reliability estimates group chains by this value
 * @param weight a caller-supplied, non-negative prior weight (1 by default) used by weighted votes
 */
public record ReasoningChain(String text, String source, double weight) {

    /**
     * @throws NullPointerException     if {@code text} or {@code source} is null
     * @throws IllegalArgumentException if {@code weight} is negative, NaN or infinite
     */
    public ReasoningChain {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(source, "source");
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight must be finite and >= 0, was " + weight);
        }
    }

    /** A chain of unknown source with weight 1. */
    public static ReasoningChain of(String text) {
        return new ReasoningChain(text, "", 1.0);
    }

    /** A chain from a named source with weight 1. */
    public static ReasoningChain of(String text, String source) {
        return new ReasoningChain(text, source, 1.0);
    }
}
