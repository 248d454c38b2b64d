package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.impl.internal.RunStop;
import dev.reasoningsdk.impl.internal.Sampling;

import dev.reasoningsdk.impl.internal.AnswerGrouping;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.internal.SpentBefore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What {@link MajorityVote} and {@link WeightedVote} share: grouping, weighting, ranking and sampling. */
final class VoteEngine {

    /**
     * Weighs the grouped chains of one question; returns one weight per member and the cost of weighing. A weigher
     * that calls a model checks {@code stop} before each call.
     */
    interface Weigher {
        Weighed weigh(String question, List<AnswerGrouping.Member> members, RunStop stop);
    }

    /** Weights aligned with the members given, and what computing them cost. */
    record Weighed(double[] weights, Usage usage) {
    }

    private final String name;
    private final AnswerExtractor extractor;
    private final Weigher weigher;
    private final Sampling sampling;
    private final int samples;

    VoteEngine(String name, AnswerExtractor extractor, Weigher weigher, Sampling sampling, int samples) {
        this.name = name;
        this.extractor = Objects.requireNonNull(extractor, "extractor");
        this.weigher = weigher;
        this.sampling = sampling;
        this.samples = samples;
    }

    String name() {
        return name;
    }

    AggregationResult aggregate(String question, List<ReasoningChain> chains) {
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(chains, "chains");
        if (chains.isEmpty()) {
            throw new IllegalArgumentException("chains must not be empty");
        }
        return vote(question, chains, StopReason.GIVEN_CHAINS_ONLY, Usage.NONE, 0, System.nanoTime(), RunStop.NONE);
    }

    /** Samples and votes; {@code stop} stops the sampling and the weighing when the caller ends the run. */
    AggregationResult solve(String question, RunStop stop) {
        Objects.requireNonNull(question, "question");
        if (sampling == null) {
            throw new IllegalStateException(name + " was built without a sampler; use aggregate(question, chains)");
        }
        long start = System.nanoTime();
        Sampling.Draw draw = sampling.draw(question, samples, 0, stop);
        boolean exhausted = draw.batch().stopReason() == StopReason.BUDGET_EXHAUSTED;
        if (draw.chains().isEmpty()) {
            throw Sampling.noChainSampled(sampling.sampler().name(), draw.failureSummary(), exhausted,
                    draw.batch().usage());
        }
        StopReason reason = exhausted ? StopReason.BUDGET_EXHAUSTED : StopReason.MAX_SAMPLES_REACHED;
        return vote(question, draw.chains(), reason, draw.batch().usage(), draw.generatedTokens(), start, stop);
    }

    /** {@code sampledTokens}: what the chains cost to generate, replayed ones as recorded. */
    private AggregationResult vote(String question, List<ReasoningChain> chains, StopReason reason, Usage spent,
                                   long sampledTokens, long startNanos, RunStop stop) {
        AnswerGrouping grouping = new AnswerGrouping(extractor);
        List<AnswerGrouping.Member> members = grouping.addAll(chains);
        // A weigher's refusal counts its own calls; the chains this vote sampled were paid for all the same.
        Weighed weighed = SpentBefore.addedToRefusal(spent, () -> weigher.weigh(question, members, stop));
        Map<AnswerGrouping.Group, Double> scores = new HashMap<>();
        for (AnswerGrouping.Group group : grouping.groups()) {
            scores.put(group, 0.0);
        }
        for (int i = 0; i < members.size(); i++) {
            double weight = weighed.weights()[i];
            if (!(weight >= 0) || Double.isInfinite(weight)) {
                throw new IllegalStateException("weight of chain " + members.get(i).index() + " is " + weight
                        + "; weights must be finite and >= 0");
            }
            double sum = scores.merge(members.get(i).group(), weight, Double::sum);
            if (Double.isInfinite(sum)) {
                // Each weight is finite, their sum is not: no score to rank the group by.
                throw new IllegalStateException("the weights of the chains answering '"
                        + members.get(i).group().answer() + "' add up past Double.MAX_VALUE");
            }
        }
        Usage usage = spent.plus(weighed.usage());
        usage = usage.withWallTime(Duration.ofNanos(System.nanoTime() - startNanos));
        return VoteTally.result(name, grouping, scores, reason, usage,
                Usage.addTokens(sampledTokens, weighed.usage().outputTokens()));
    }
}
