package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.api.retrieval.Criterion;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.impl.onnx.SentenceEncoder;
import java.util.ArrayList;
import java.util.List;

/**
 * A criterion evaluated on a sentence embedding the caller has already computed, so several criteria share one
 * encoder pass: {@link UnifiedActiveRetrieval} embeds each request once per distinct encoder and hands the vector to
 * every criterion that reads it. Used on its own, it embeds the request itself.
 */
public interface EmbeddingCriterion extends Criterion {

    /** The encoder whose embeddings this criterion reads. */
    SentenceEncoder encoder();

    /**
     * Evaluates a request from its embedding by {@link #encoder()}.
     *
     * @param query     the request text (rules may read it)
     * @param embedding the request's embedding by {@link #encoder()}
     */
    CriterionResult evaluate(String query, float[] embedding);

    @Override
    default CriterionResult evaluate(String query) {
        return evaluate(query, encoder().embed(query));
    }

    @Override
    default List<CriterionResult> evaluateAll(List<String> queries) {
        List<float[]> embeddings = encoder().embedAll(queries);
        List<CriterionResult> results = new ArrayList<>(queries.size());
        for (int i = 0; i < queries.size(); i++) {
            results.add(evaluate(queries.get(i), embeddings.get(i)));
        }
        return results;
    }
}
