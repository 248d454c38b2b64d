package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.ReasoningChain;

/**
 * The weight of one chain's vote in a {@link WeightedVote}: a caller's prior, a confidence, a likelihood, or the
 * reliability of the chain's source ({@link SourceReliability}). Implementations are thread-safe and return a
 * finite, non-negative weight.
 */
@FunctionalInterface
public interface ChainWeight {

    /** The weight of {@code chain}'s vote on {@code question}. */
    double weight(String question, ReasoningChain chain);

    /** The caller's own {@link ReasoningChain#weight()} (1 unless set). */
    static ChainWeight callerWeight() {
        return (question, chain) -> chain.weight();
    }
}
