package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import java.util.List;

/**
 * A scorer whose score of a chain depends on the question's other chains (the learned verifier's agreement
 * features). AoR's local phase and the scored vote hand a scorer the chains of one answer group at a time, so they
 * first bind such a scorer to every chain of the question.
 */
interface ContextualChainScorer extends ChainScorer {

    /** This scorer, scoring any chain as one of {@code questionChains} (a chain not among them is added). */
    ChainScorer amongChains(List<ReasoningChain> questionChains);

    /** {@code scorer} bound to {@code questionChains} when it reads them, else {@code scorer} itself. */
    static ChainScorer bind(ChainScorer scorer, List<ReasoningChain> questionChains) {
        return scorer instanceof ContextualChainScorer contextual ? contextual.amongChains(questionChains) : scorer;
    }
}
