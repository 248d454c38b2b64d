package dev.reasoningsdk.api;

import dev.reasoningsdk.api.model.TokenLogProb;
import java.util.List;
import java.util.Objects;

/**
 * One reasoning chain: a model's full response to a question (steps and final answer), where it came from, and an
 * optional caller-supplied weight.
 *
 * @param text   the whole response text, from which an answer is extracted: the reply's message text, with a
 *               reasoning model's inline {@code <think>} block if it wrote one (the built-in extractors read the
 *               answer outside it); thinking a provider returns separately is not part of it
 * @param source who produced it (a model name, a provider, a prompt variant); {@code ""} when unknown. Per-source
 *               reliability estimates group chains by this value
 * @param weight a caller-supplied, non-negative prior weight (1 by default) used by weighted votes
 * @param tokenLogProbs the tokens the model generated for this chain with their log-probabilities, in order, as
 *                      the sampler received them (white-box techniques score a remote model's chains from them);
 *                      empty when unknown. They cover the generated text, which may differ from {@code text} by
 *                      white space a sampler stripped
 */
public record ReasoningChain(String text, String source, double weight, List<TokenLogProb> tokenLogProbs) {

    /**
     * @throws NullPointerException     if {@code text}, {@code source} or {@code tokenLogProbs} is null
     * @throws IllegalArgumentException if {@code weight} is negative, NaN or infinite
     */
    public ReasoningChain {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(source, "source");
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight must be finite and >= 0, was " + weight);
        }
        tokenLogProbs = List.copyOf(tokenLogProbs);
    }

    /**
     * A chain without token log-probabilities.
     *
     * @throws NullPointerException     if {@code text} or {@code source} is null
     * @throws IllegalArgumentException if {@code weight} is negative, NaN or infinite
     */
    public ReasoningChain(String text, String source, double weight) {
        this(text, source, weight, List.of());
    }

    /** Whether the chain carries its tokens' log-probabilities. */
    public boolean hasTokenLogProbs() {
        return !tokenLogProbs.isEmpty();
    }

    /**
     * This chain with another weight, its token log-probabilities kept.
     *
     * @throws IllegalArgumentException if {@code weight} is negative, NaN or infinite
     */
    public ReasoningChain withWeight(double weight) {
        return new ReasoningChain(text, source, weight, tokenLogProbs);
    }

    /**
     * The record's fields with the token log-probabilities counted, not listed (as
     * {@code ReasoningChatResponseMetadata} prints them): a sampled chain carries every token with its top
     * alternatives, and printing one {@code AggregationResult} of three short chains wrote 60 kB.
     */
    @Override
    public String toString() {
        return "ReasoningChain[text=" + text + ", source=" + source + ", weight=" + weight + ", tokenLogProbs="
                + tokenLogProbs.size() + " tokens]";
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
