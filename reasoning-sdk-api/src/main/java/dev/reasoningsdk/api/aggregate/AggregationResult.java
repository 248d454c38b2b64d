package dev.reasoningsdk.api.aggregate;

import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of an aggregation: the chosen answer, the evidence for it and what it cost.
 *
 * @param method            the aggregator's {@link Aggregator#name()}
 * @param answer            the chosen (normalised) answer; empty when no chain had a parseable answer
 * @param groups            the answer groups, best first (the first group's answer is {@code answer})
 * @param margin            the winner's score minus the runner-up's, in the method's own score units; the winner's
 *                          score when there is a single group; finite (0 when there is no answer)
 * @param stopReason        why the aggregator stopped
 * @param unparseableChains chains from which no answer could be extracted (they vote for nothing, but are counted)
 * @param usage             samples, model calls (sampling and judging), tokens and wall time: what this run paid
 *                          for; a reply a cache replayed is a {@link Usage#cacheHits() cache hit} and adds no tokens
 * @param generatedTokens   tokens the model generated for this result, the figure methods are compared by at equal
 *                          cost: the sampled chains' (cut-off and discarded samples included) and model judges'
 *                          replies, a reply replayed from an LM-call cache counted with the tokens it was recorded
 *                          with, so a replayed run reports what the recorded one did; equal to
 *                          {@code usage.outputTokens()} without cache hits; 0 when the caller supplied the chains and
 *                          nothing was judged by a model; {@link Usage#UNKNOWN_TOKENS} when a reply did not say
 */
public record AggregationResult(String method, Optional<String> answer, List<AnswerGroup> groups, double margin,
                                StopReason stopReason, int unparseableChains, Usage usage, long generatedTokens) {

    /**
     * @throws IllegalArgumentException if the answer disagrees with the first group, a count is negative (but
     *                                  {@code generatedTokens} {@link Usage#UNKNOWN_TOKENS}) or the margin is NaN or
     *                                  infinite
     */
    public AggregationResult {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(answer, "answer");
        groups = List.copyOf(groups);
        Objects.requireNonNull(stopReason, "stopReason");
        Objects.requireNonNull(usage, "usage");
        if (unparseableChains < 0) {
            throw new IllegalArgumentException("unparseableChains must be >= 0, was " + unparseableChains);
        }
        if (!Double.isFinite(margin)) {
            throw new IllegalArgumentException("margin must be finite, was " + margin);
        }
        if (answer.isPresent() && (groups.isEmpty() || !groups.get(0).answer().equals(answer.get()))) {
            throw new IllegalArgumentException("answer must be the first group's answer");
        }
        if (generatedTokens < 0 && generatedTokens != Usage.UNKNOWN_TOKENS) {
            throw new IllegalArgumentException("generatedTokens must be >= 0 or Usage.UNKNOWN_TOKENS, was "
                    + generatedTokens);
        }
    }

    /**
     * A result whose {@link #generatedTokens()} are {@code usage.outputTokens()}: for a method none of whose replies
     * came from a cache, or that does not know the tokens its replayed replies were recorded with.
     *
     * @throws IllegalArgumentException as the canonical constructor
     */
    public AggregationResult(String method, Optional<String> answer, List<AnswerGroup> groups, double margin,
                             StopReason stopReason, int unparseableChains, Usage usage) {
        this(method, answer, groups, margin, stopReason, unparseableChains, usage,
                Objects.requireNonNull(usage, "usage").outputTokens());
    }

    /** Total chains considered, parseable or not. */
    public int totalChains() {
        return unparseableChains + groups.stream().mapToInt(g -> g.chains().size()).sum();
    }
}
