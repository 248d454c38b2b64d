package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.retrieval.Criterion;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import java.util.concurrent.atomic.AtomicInteger;

/** A criterion that always gives one probability and counts its calls. */
record FixedCriterion(CriterionKind kind, double probability, AtomicInteger calls) implements Criterion {

    FixedCriterion(CriterionKind kind, double probability) {
        this(kind, probability, new AtomicInteger());
    }

    @Override
    public CriterionResult evaluate(String query) {
        calls.incrementAndGet();
        return new CriterionResult(kind, probability, "fixed", Usage.NONE);
    }
}
