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
 * @param usage             samples, model calls (sampling and judging), tokens and wall time
 */
public record AggregationResult(String method, Optional<String> answer, List<AnswerGroup> groups, double margin,
                                StopReason stopReason, int unparseableChains, Usage usage) {

    /**
     * @throws IllegalArgumentException if the answer disagrees with the first group, a count is negative or the
     *                                  margin is NaN or infinite
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
    }

    /**
     * Tokens the model generated for this result ({@link Usage#outputTokens()}: sampled chains and judge replies;
     * 0 when the caller supplied the chains and nothing was judged by a model), or {@link Usage#UNKNOWN_TOKENS}, so
     * that methods compare at equal cost.
     */
    public long generatedTokens() {
        return usage.outputTokens();
    }

    /** Total chains considered, parseable or not. */
    public int totalChains() {
        return unparseableChains + groups.stream().mapToInt(g -> g.chains().size()).sum();
    }
}
