package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.api.retrieval.Criterion;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.api.model.EncodedSentence;
import dev.reasoningsdk.api.model.SentenceEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A criterion evaluated on a sentence embedding the caller has already computed, so several criteria share one
 * encoder pass: {@link UnifiedActiveRetrieval} embeds each request once per distinct encoder and hands the vector to
 * every criterion that reads it. Used on its own, it embeds the request itself.
 */
public interface EmbeddingCriterion extends Criterion {

    /** The encoder whose embeddings this criterion reads. */
    SentenceEncoder encoder();

    /** The encoder layers whose mean-pooled states this criterion reads besides the embedding; none by default. */
    default Set<Integer> pooledLayers() {
        return Set.of();
    }

    /**
     * Evaluates a request from its encoding by {@link #encoder()}.
     *
     * @param query   the request text (rules may read it)
     * @param encoded the request's embedding by {@link #encoder()}, with at least the {@link #pooledLayers()}
     */
    CriterionResult evaluate(String query, EncodedSentence encoded);

    /**
     * Evaluates a request from its embedding alone.
     *
     * @throws IllegalArgumentException if the criterion reads {@link #pooledLayers() pooled layers}
     */
    default CriterionResult evaluate(String query, float[] embedding) {
        return evaluate(query, EncodedSentence.of(embedding));
    }

    @Override
    default CriterionResult evaluate(String query) {
        return evaluate(query, encoder().encodeAll(List.of(query), pooledLayers()).get(0));
    }

    @Override
    default List<CriterionResult> evaluateAll(List<String> queries) {
        List<EncodedSentence> encoded = encoder().encodeAll(queries, pooledLayers());
        List<CriterionResult> results = new ArrayList<>(queries.size());
        for (int i = 0; i < queries.size(); i++) {
            results.add(evaluate(queries.get(i), encoded.get(i)));
        }
        return results;
    }
}
