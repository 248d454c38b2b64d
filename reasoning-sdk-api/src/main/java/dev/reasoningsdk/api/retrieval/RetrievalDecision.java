package dev.reasoningsdk.api.retrieval;

import dev.reasoningsdk.api.Usage;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether to retrieve, which criterion decided, and every criterion's verdict.
 *
 * @param retrieve  true when retrieval should happen
 * @param decidedBy the criterion whose verdict settled the decision in UAR's order; empty when none was decisive
 *                  and the judge fell through to its default (retrieve)
 * @param criteria  the verdicts of all evaluated criteria, by kind
 * @param usage     the cost of judging (encoder passes, model calls, wall time)
 */
public record RetrievalDecision(boolean retrieve, Optional<CriterionKind> decidedBy,
                                Map<CriterionKind, CriterionResult> criteria, Usage usage) {

    /** @throws IllegalArgumentException if the deciding criterion has no verdict in {@code criteria} */
    public RetrievalDecision {
        Objects.requireNonNull(decidedBy, "decidedBy");
        criteria = Map.copyOf(criteria);
        Objects.requireNonNull(usage, "usage");
        if (decidedBy.isPresent() && !criteria.containsKey(decidedBy.get())) {
            throw new IllegalArgumentException("decided by " + decidedBy.get() + " but it has no verdict");
        }
    }

    /** The probability a criterion gave, if it was evaluated. */
    public Optional<Double> probability(CriterionKind kind) {
        return Optional.ofNullable(criteria.get(kind)).map(CriterionResult::probability);
    }
}
