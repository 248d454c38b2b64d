package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.impl.internal.AnswerGrouping;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.AnswerGroup;
import dev.reasoningsdk.api.StopReason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Ranks answer groups by a score and turns them into a result. The shared tie rule: higher score, then more votes,
 * then the answer seen first. The last step is what the GSM8K data README's majority baseline uses.
 */
final class VoteTally {

    private VoteTally() {
    }

    /** Groups best first under {@code scores} (one score per group, keyed by the group). */
    static List<AnswerGrouping.Group> rank(List<AnswerGrouping.Group> groups,
                                           Map<AnswerGrouping.Group, Double> scores) {
        List<AnswerGrouping.Group> ranked = new ArrayList<>(groups);
        ranked.sort(Comparator.<AnswerGrouping.Group>comparingDouble(g -> -scores.get(g))
                .thenComparingInt(g -> -g.members().size())
                .thenComparingInt(g -> g.order()));
        return ranked;
    }

    /**
     * A vote's result: groups ranked by {@code scores}, the margin between the first two, and the given cost
     * ({@link AggregationResult#generatedTokens()} {@code generatedTokens}).
     */
    static AggregationResult result(String method, AnswerGrouping grouping, Map<AnswerGrouping.Group, Double> scores,
                                    StopReason stopReason, Usage usage, long generatedTokens) {
        if (grouping.groups().isEmpty()) {
            return new AggregationResult(method, Optional.empty(), List.of(), 0, StopReason.NO_ANSWER,
                    grouping.unparseable(), usage, generatedTokens);
        }
        List<AnswerGrouping.Group> ranked = rank(grouping.groups(), scores);
        List<AnswerGroup> groups = ranked.stream()
                .map(g -> new AnswerGroup(g.answer(), g.members().stream().map(AnswerGrouping.Member::toScoredChain)
                        .toList(), scores.get(g), List.of()))
                .toList();
        double margin = groups.size() == 1 ? groups.get(0).score() : groups.get(0).score() - groups.get(1).score();
        return new AggregationResult(method, Optional.of(groups.get(0).answer()), groups, margin, stopReason,
                grouping.unparseable(), usage, generatedTokens);
    }
}
