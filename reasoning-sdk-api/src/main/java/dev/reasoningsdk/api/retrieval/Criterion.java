package dev.reasoningsdk.api.retrieval;

import java.util.ArrayList;
import java.util.List;

/**
 * One UAR criterion: the probability that it holds for a request, with its evidence. Implementations may be
 * classifier heads over a sentence embedding, rules, a local model's hidden state, or a prompted LLM. Thread-safe.
 */
public interface Criterion {

    /** Which criterion this evaluates. */
    CriterionKind kind();

    /** Evaluates one request. */
    CriterionResult evaluate(String query);

    /**
     * Whether this criterion's verdict comes from calls to a model (a prompted LLM, a sampled remote model), so that
     * a result whose {@link CriterionResult#usage() usage} records no call that gave something usable (every call
     * failed, or none was sent because a call budget refused them) holds a fallback, not a verdict. A judge should
     * let such a result settle nothing. Default false: heads, rules and other criteria that do not call a model.
     */
    default boolean judgesByModelCalls() {
        return false;
    }

    /** Evaluates a batch, one result per query in order; implementations that batch well override this. */
    default List<CriterionResult> evaluateAll(List<String> queries) {
        List<CriterionResult> results = new ArrayList<>(queries.size());
        for (String query : queries) {
            results.add(evaluate(query));
        }
        return results;
    }
}
