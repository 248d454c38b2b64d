package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.Aggregator;
import java.util.List;

/** The entry points {@link MajorityVote} and {@link WeightedVote} share; each differs only in its weights. */
abstract class VoteAggregator implements Aggregator {

    private final VoteEngine engine;

    VoteAggregator(VoteEngine engine) {
        this.engine = engine;
    }

    /**
     * Weighs and counts the votes of {@code chains} (a majority vote gives every chain weight 1); nothing is
     * sampled.
     *
     * @throws IllegalArgumentException if {@code chains} is empty
     * @throws IllegalStateException    if a weight is negative, NaN or infinite
     */
    @Override
    public final AggregationResult aggregate(String question, List<ReasoningChain> chains) {
        return engine.aggregate(question, chains);
    }

    /**
     * Samples the configured number of chains, weighs and counts their votes.
     *
     * @throws IllegalStateException if built without a sampler
     * @throws dev.reasoningsdk.api.BudgetExhaustedException if the sampler's budget ran out before one chain
     * @throws dev.reasoningsdk.api.ReasoningException if every sample failed otherwise
     */
    @Override
    public final AggregationResult solve(String question) {
        return engine.solve(question);
    }

    /** {@code "majority"} or {@code "weighted"}. */
    @Override
    public final String name() {
        return engine.name();
    }
}
