package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import java.util.List;

/**
 * A user's decorator around a scorer (logging, metrics): it forwards every scoring and hides what it decorates;
 * {@code forwardsBinding} says whether it forwards {@link ChainScorer#amongChains} too.
 *
 * @param delegate        the decorated scorer
 * @param forwardsBinding whether {@code amongChains} binds the delegate (else it returns this decorator as it is)
 */
record ForwardingChainScorer(ChainScorer delegate, boolean forwardsBinding) implements ChainScorer {

    @Override
    public Scores scoreLocally(String question, List<ReasoningChain> chains, List<ScoredChain> references) {
        return delegate.scoreLocally(question, chains, references);
    }

    @Override
    public Scores scoreGlobally(String question, List<ReasoningChain> representatives) {
        return delegate.scoreGlobally(question, representatives);
    }

    @Override
    public String name() {
        return "logged-" + delegate.name();
    }

    @Override
    public ChainScorer amongChains(List<ReasoningChain> questionChains) {
        return forwardsBinding ? new ForwardingChainScorer(delegate.amongChains(questionChains), true) : this;
    }
}
