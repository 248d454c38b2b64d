package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import dev.reasoningsdk.api.model.AnswerExtractor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Chains grouped by equivalent answers, in first-seen order. Chains may be added later (AoR's dynamic sampling) and
 * scored in place. Not thread-safe: one aggregation owns one grouping.
 */
final class AnswerGrouping {

    private final AnswerExtractor extractor;
    private final List<Group> groups = new ArrayList<>();
    private int unparseable;
    private int nextIndex;

    AnswerGrouping(AnswerExtractor extractor) {
        this.extractor = extractor;
    }

    /** Adds chains in order; returns the members created (unparseable chains are only counted). */
    List<Member> addAll(List<ReasoningChain> chains) {
        List<Member> added = new ArrayList<>();
        for (ReasoningChain chain : chains) {
            int index = nextIndex++;
            Optional<String> answer = extractor.extract(chain.text());
            if (answer.isEmpty()) {
                unparseable++;
                continue;
            }
            Group group = groupFor(answer.get());
            Member member = new Member(index, chain, group);
            group.members.add(member);
            added.add(member);
        }
        return added;
    }

    private Group groupFor(String answer) {
        for (Group group : groups) {
            if (extractor.equivalent(group.answer, answer)) {
                return group;
            }
        }
        Group group = new Group(answer, groups.size());
        groups.add(group);
        return group;
    }

    List<Group> groups() {
        return groups;
    }

    int unparseable() {
        return unparseable;
    }

    /** Chains seen so far, parseable or not. */
    int chainCount() {
        return nextIndex;
    }

    /** One answer's chains; {@code order} is its first-seen position, the final tie-breaker everywhere. */
    static final class Group {
        final String answer;
        final int order;
        final List<Member> members = new ArrayList<>();

        Group(String answer, int order) {
            this.answer = answer;
            this.order = order;
        }

        double weightSum() {
            return members.stream().mapToDouble(m -> m.chain.weight()).sum();
        }
    }

    /** One chain in a group, with its local score once judged ({@code NaN} when unscored or unscorable). */
    static final class Member {
        final int index;
        final ReasoningChain chain;
        final Group group;
        double localScore = Double.NaN;
        boolean scored;

        Member(int index, ReasoningChain chain, Group group) {
            this.index = index;
            this.chain = chain;
            this.group = group;
        }

        ScoredChain toScoredChain() {
            OptionalDouble score = Double.isNaN(localScore) ? OptionalDouble.empty() : OptionalDouble.of(localScore);
            return new ScoredChain(index, chain, group.answer, score);
        }
    }
}
