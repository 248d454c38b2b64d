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

    /** Evaluates a batch, one result per query in order; implementations that batch well override this. */
    default List<CriterionResult> evaluateAll(List<String> queries) {
        List<CriterionResult> results = new ArrayList<>(queries.size());
        for (String query : queries) {
            results.add(evaluate(query));
        }
        return results;
    }
}
