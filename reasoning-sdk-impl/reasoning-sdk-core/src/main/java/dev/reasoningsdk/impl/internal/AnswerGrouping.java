package dev.reasoningsdk.impl.internal;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import dev.reasoningsdk.api.model.AnswerExtractor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Answers grouped by the {@link AnswerExtractor}'s equivalence, the one grouping rule of the SDK (aggregators,
 * confidence estimators, Active-Prompt, the self-knowledge criterion): an answer joins the first group, in
 * first-seen order, whose answer is {@link AnswerExtractor#equivalent equivalent} to it, else starts a new group.
 * Chains may be added in several batches (AoR's dynamic sampling) and given a local score in place. Not API; not
 * thread-safe: one aggregation or estimate owns one grouping.
 */
public final class AnswerGrouping {

    private final AnswerExtractor extractor;
    private final List<Group> groups = new ArrayList<>();
    private final List<Integer> unparsed = new ArrayList<>();
    private int nextIndex;

    /** An empty grouping by {@code extractor}'s extraction and equivalence. */
    public AnswerGrouping(AnswerExtractor extractor) {
        this.extractor = Objects.requireNonNull(extractor, "extractor");
    }

    /**
     * Adds chains in order, numbering them on from the chains added before; returns the members created. A chain
     * without an extractable answer joins no group and is only recorded in {@link #unparsed()}.
     */
    public List<Member> addAll(List<ReasoningChain> chains) {
        List<Member> added = new ArrayList<>();
        for (ReasoningChain chain : chains) {
            int index = nextIndex++;
            Optional<String> answer = extractor.extract(chain.text());
            if (answer.isEmpty()) {
                unparsed.add(index);
                continue;
            }
            Group group = join(answer.get());
            Member member = new Member(index, chain, group);
            group.members.add(member);
            added.add(member);
        }
        return added;
    }

    /**
     * The group an already extracted answer belongs to: the first equivalent one, or a new group. For callers that
     * count answers rather than chains; the group's {@link Group#members()} are not changed.
     */
    public Group join(String answer) {
        for (Group group : groups) {
            if (extractor.equivalent(group.answer, answer)) {
                return group;
            }
        }
        Group group = new Group(answer, groups.size());
        groups.add(group);
        return group;
    }

    /** The groups in first-seen order. */
    public List<Group> groups() {
        return Collections.unmodifiableList(groups);
    }

    /** How many chains had no extractable answer. */
    public int unparseable() {
        return unparsed.size();
    }

    /** The indices of the chains that had no extractable answer, ascending. */
    public List<Integer> unparsed() {
        return Collections.unmodifiableList(unparsed);
    }

    /** Chains added so far, parseable or not. */
    public int chainCount() {
        return nextIndex;
    }

    /** One answer's chains; {@link #order()} is its first-seen position, the final tie-breaker everywhere. */
    public static final class Group {
        private final String answer;
        private final int order;
        private final List<Member> members = new ArrayList<>();

        private Group(String answer, int order) {
            this.answer = answer;
            this.order = order;
        }

        /** The answer of the group's first chain, as the extractor normalised it. */
        public String answer() {
            return answer;
        }

        /** The group's first-seen position, from 0. */
        public int order() {
            return order;
        }

        /** The chains in the group, in the order they were added. */
        public List<Member> members() {
            return Collections.unmodifiableList(members);
        }

        /** The sum of the members' chain weights. */
        public double weightSum() {
            return members.stream().mapToDouble(m -> m.chain.weight()).sum();
        }
    }

    /** One chain in a group, with the local score a judge gave it ({@code NaN} until judged, or unscorable). */
    public static final class Member {
        private final int index;
        private final ReasoningChain chain;
        private final Group group;
        private double localScore = Double.NaN;

        private Member(int index, ReasoningChain chain, Group group) {
            this.index = index;
            this.chain = chain;
            this.group = group;
        }

        /** The chain's position among all chains added, unparseable ones included. */
        public int index() {
            return index;
        }

        /** The chain. */
        public ReasoningChain chain() {
            return chain;
        }

        /** The group it joined. */
        public Group group() {
            return group;
        }

        /** The local score, {@code NaN} when none was given. */
        public double localScore() {
            return localScore;
        }

        /** Records the local score a judge gave this chain ({@code NaN}: unscorable). */
        public void localScore(double score) {
            this.localScore = score;
        }

        /** This chain as a result's scored chain. */
        public ScoredChain toScoredChain() {
            OptionalDouble score = Double.isNaN(localScore) ? OptionalDouble.empty() : OptionalDouble.of(localScore);
            return new ScoredChain(index, chain, group.answer, score);
        }
    }
}
