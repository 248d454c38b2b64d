package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.impl.internal.AnswerGrouping;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.internal.SpentBefore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A weighted vote: each chain votes for its answer with a weight, and the answer with the largest weight sum wins.
 *
 * <p>Weights come from one of: the caller's {@link ReasoningChain#weight()} (the default); any {@link ChainWeight},
 * such as a {@link SourceReliability} fitted over many questions (the log-odds weights of a Dawid-Skene one-coin
 * model, under which the weighted vote is the maximum a-posteriori answer); or a {@link ChainScorer}'s local score
 * of each chain (a likelihood, a verifier's share of correct steps, an LLM judge's rubric score), whose cost is
 * reported. A chain the scorer could not score weighs 0. A scorer that reads the question's other chains
 * ({@link LearnedVerifier}) is first given every chain that has an answer.
 *
 * <p><b>Tie rule:</b> equal weight sums go to the group with more votes, then to the answer seen first. A group's
 * score is its weight sum; the margin is the winner's lead. Defaults: caller weights, 20 samples for
 * {@link #solve(String)}, the question as prompt, seed 0. Thread-safe when the weight or scorer is.
 */
public final class WeightedVote extends VoteAggregator {

    private WeightedVote(Builder builder) {
        super(new VoteEngine("weighted", builder.extractor, weigher(builder), builder.sampling(),
                builder.samples));
    }

    private static VoteEngine.Weigher weigher(Builder builder) {
        return builder.scorer != null ? scorerWeigher(builder.scorer)
                : functionWeigher(builder.weight == null ? ChainWeight.callerWeight() : builder.weight);
    }

    private static VoteEngine.Weigher functionWeigher(ChainWeight weight) {
        return (question, members, stop) -> {
            double[] weights = new double[members.size()];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = weight.weight(question, members.get(i).chain());
            }
            return new VoteEngine.Weighed(weights, Usage.NONE);
        };
    }

    private static VoteEngine.Weigher scorerWeigher(ChainScorer scorer) {
        return (question, members, stop) -> {
            // A scorer judges chains that share an answer (AoR's local phase), so members are scored group by group.
            Map<AnswerGrouping.Group, List<Integer>> byGroup = new LinkedHashMap<>();
            for (int i = 0; i < members.size(); i++) {
                byGroup.computeIfAbsent(members.get(i).group(), g -> new ArrayList<>()).add(i);
            }
            double[] weights = new double[members.size()];
            Usage usage = Usage.NONE;
            ChainScorer bound = scorer.amongChains(
                    members.stream().map(AnswerGrouping.Member::chain).toList());
            for (List<Integer> positions : byGroup.values()) {
                stop.check();
                List<ReasoningChain> chains = positions.stream().map(p -> members.get(p).chain()).toList();
                // An LLM judge's scoring opens its scope on the run's thread, which binds it to the run's stop.
                ChainScorer.Scores scores = SpentBefore.addedToRefusal(usage,
                        () -> bound.scoreLocally(question, chains, List.of()));
                usage = usage.plus(scores.usage());
                for (int j = 0; j < positions.size(); j++) {
                    double score = j < scores.scores().size() ? scores.scores().get(j) : Double.NaN;
                    AnswerGrouping.Member member = members.get(positions.get(j));
                    member.localScore(score);
                    weights[positions.get(j)] = Double.isNaN(score) ? 0 : score;
                }
            }
            return new VoteEngine.Weighed(weights, usage);
        };
    }

    /** A vote weighted by the caller's {@link ReasoningChain#weight()}. */
    public static WeightedVote byChainWeight(AnswerExtractor extractor) {
        return builder().extractor(extractor).build();
    }

    /** A vote weighted by the fitted reliability of each chain's source. */
    public static WeightedVote bySourceReliability(AnswerExtractor extractor, SourceReliability reliability) {
        return builder().extractor(extractor).weight(reliability).build();
    }

    /** A builder; the extractor is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link WeightedVote}: the extractor is required, a sampler only for {@link #solve}. */
    public static final class Builder extends SamplingBuilder.ForVotes<Builder> {
        private ChainWeight weight;
        private ChainScorer scorer;

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /** Where weights come from (default {@link ChainWeight#callerWeight()}); excludes {@link #scorer}. */
        public Builder weight(ChainWeight weight) {
            this.weight = Objects.requireNonNull(weight, "weight");
            return this;
        }

        /** Weights are this scorer's local scores of each chain; excludes {@link #weight}. */
        public Builder scorer(ChainScorer scorer) {
            this.scorer = Objects.requireNonNull(scorer, "scorer");
            return this;
        }

        /**
         * @throws IllegalStateException if no extractor was set, or both a weight and a scorer were
         */
        public WeightedVote build() {
            requireExtractor();
            if (weight != null && scorer != null) {
                throw new IllegalStateException("set either a weight or a scorer, not both");
            }
            return new WeightedVote(this);
        }
    }
}
