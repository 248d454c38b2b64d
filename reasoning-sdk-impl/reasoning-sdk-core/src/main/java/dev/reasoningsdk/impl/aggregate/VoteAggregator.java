package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.Aggregator;
import dev.reasoningsdk.impl.internal.RunStop;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

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
        return engine.solve(question, RunStop.NONE);
    }

    /**
     * {@link #solve(String)} on {@code CompletableFuture}'s default executor. Cancelling the returned future, or
     * completing it (e.g. with {@code orTimeout}), stops the vote: no sample or scoring call starts after that; a batch
     * in flight from a sampler that can stop it ({@code ChatModelSampler}), one still being started included, is
     * stopped and an {@link LlmChainJudge}'s scoring in flight (behind a decorator too) is cancelled, their calls over
     * the gateway interrupted; a local model's generation in flight runs to its end, its samples unused, as does
     * another scorer's work in flight.
     */
    @Override
    public final CompletableFuture<AggregationResult> solveAsync(String question) {
        Objects.requireNonNull(question, "question");
        return RunStop.supplyAsync(stop -> engine.solve(question, stop));
    }

    /** {@code "majority"} or {@code "weighted"}. */
    @Override
    public final String name() {
        return engine.name();
    }
}
