package dev.reasoningsdk.api.retrieval;

import dev.reasoningsdk.api.Usage;
import java.util.Objects;

/**
 * A criterion's verdict on one request.
 *
 * @param kind        the criterion
 * @param probability the probability in [0, 1] that the criterion holds (e.g. that the request is time-sensitive)
 * @param evidence    a short human-readable reason: the rule that matched, the head and its score, the LLM's reply
 * @param usage       what this evaluation cost (model calls for an LLM criterion; time only for a head)
 */
public record CriterionResult(CriterionKind kind, double probability, String evidence, Usage usage) {

    /** @throws IllegalArgumentException if the probability is outside [0, 1] or NaN */
    public CriterionResult {
        Objects.requireNonNull(kind, "kind");
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("probability must be in [0, 1], was " + probability);
        }
        Objects.requireNonNull(evidence, "evidence");
        Objects.requireNonNull(usage, "usage");
    }
}
