package dev.reasoningsdk.api.aggregate;

import java.util.List;
import java.util.Objects;

/**
 * The chains that reached one answer, and the group's score under the aggregation method.
 *
 * @param answer          the normalised answer shared by the group
 * @param chains          the members, each with its local score when the method judged it
 * @param score           the group's score: its vote count, its weight sum, or its AoR global score; finite
 * @param representatives indexes (into {@code chains}) of the chains chosen to represent the group in a global
 *                        comparison, best first; empty for methods that do not pick representatives
 */
public record AnswerGroup(String answer, List<ScoredChain> chains, double score, List<Integer> representatives) {

    /**
     * @throws IllegalArgumentException if the group is empty, the score is NaN or infinite (no aggregator produces
     *                                  one: a count, a sum of finite weights that did not overflow, a mean of
     *                                  0-10 judge scores) or a representative is out of range
     */
    public AnswerGroup {
        Objects.requireNonNull(answer, "answer");
        chains = List.copyOf(chains);
        representatives = List.copyOf(representatives);
        if (chains.isEmpty()) {
            throw new IllegalArgumentException("an answer group has at least one chain");
        }
        if (!Double.isFinite(score)) {
            throw new IllegalArgumentException("score must be finite, was " + score);
        }
        for (int index : representatives) {
            if (index < 0 || index >= chains.size()) {
                throw new IllegalArgumentException("representative " + index + " out of range");
            }
        }
    }

    /** The number of chains in the group (its plain vote count). */
    public int votes() {
        return chains.size();
    }
}
