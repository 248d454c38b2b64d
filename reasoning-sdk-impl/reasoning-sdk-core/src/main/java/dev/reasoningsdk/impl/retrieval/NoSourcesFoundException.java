package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.retrieval.RetrievalDecision;
import java.util.Objects;
import java.util.Optional;

/**
 * Thrown by {@link SourceRequiringContentAggregator} before the LLM is called, when a request was routed to
 * retrievers (the judge said it needs retrieval) but they found nothing: the application answers "no sources found"
 * (or asks the user to rephrase) instead of paying for an answer the judge expects to be unreliable. Not retryable:
 * the same query finds the same nothing. {@link #usage()} is what the judge's decision cost (its criteria's model
 * calls), when the router stored it; {@link Usage#NONE} otherwise.
 */
public final class NoSourcesFoundException extends ReasoningException {
    private static final long serialVersionUID = 1L;

    private final String query;
    private final transient RetrievalDecision decision;

    /**
     * For a query that found nothing.
     *
     * @param decision the judge's decision when {@link RetrievalJudgeQueryRouter} stored it, else null
     */
    public NoSourcesFoundException(String query, RetrievalDecision decision) {
        super("no sources found for a request that needs retrieval"
                + (decision == null ? "" : " (decided by " + decision.decidedBy().map(Enum::name).orElse("default")
                + ")") + ": " + query, null, false, decision == null ? Usage.NONE : decision.usage());
        this.query = Objects.requireNonNull(query, "query");
        this.decision = decision;
    }

    /** The query that found nothing. */
    public String query() {
        return query;
    }

    /** The judge's decision, when the router stored it in the invocation parameters. */
    public Optional<RetrievalDecision> decision() {
        return Optional.ofNullable(decision);
    }
}
