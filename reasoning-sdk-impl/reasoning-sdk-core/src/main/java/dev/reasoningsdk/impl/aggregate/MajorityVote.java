package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.internal.RunStop;
import java.util.Arrays;
import java.util.List;

/**
 * Self-consistency (Wang et al., 2023, "Self-Consistency Improves Chain of Thought Reasoning in Language Models"):
 * the answer most chains reach wins.
 *
 * <p>Answers are grouped by the {@link AnswerExtractor}, so "1,200.00" and "1200" vote together under the numeric
 * extractor, and an encoder-backed extractor groups free-text answers by meaning. Unparseable chains vote for
 * nothing but are counted. <b>Tie rule:</b> among groups with equally many votes, the answer seen first (in the
 * order the chains were given or sampled) wins; this is the rule of the GSM8K data README's majority baseline.
 * A group's score is its vote count and the margin is the winner's lead in votes.
 *
 * <p>Defaults: 20 samples for {@link #solve(String)}, the question as the prompt, seed 0. Thread-safe.
 */
public final class MajorityVote extends VoteAggregator {

    private MajorityVote(Builder builder) {
        super(new VoteEngine("majority", builder.extractor, MajorityVote::ones, builder.sampling(),
                builder.samples));
    }

    private static VoteEngine.Weighed ones(String question, List<?> members, RunStop stop) {
        double[] weights = new double[members.size()];
        Arrays.fill(weights, 1.0);
        return new VoteEngine.Weighed(weights, Usage.NONE);
    }

    /** A majority vote over caller-supplied chains (no sampler). */
    public static MajorityVote of(AnswerExtractor extractor) {
        return builder().extractor(extractor).build();
    }

    /** A builder; the extractor is required, a sampler only for {@link #solve(String)}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link MajorityVote}: the extractor is required, a sampler only for {@link #solve}. */
    public static final class Builder extends SamplingBuilder.ForVotes<Builder> {

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /** @throws IllegalStateException if no extractor was set */
        public MajorityVote build() {
            requireExtractor();
            return new MajorityVote(this);
        }
    }
}
