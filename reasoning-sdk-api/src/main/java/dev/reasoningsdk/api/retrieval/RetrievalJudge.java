package dev.reasoningsdk.api.retrieval;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Decides, per request, whether retrieval is needed before answering.
 *
 * <p>The built-in {@code UnifiedActiveRetrieval} follows Cheng et al., 2024, "Unified Active Retrieval for
 * Retrieval Augmented Generation": four {@link Criterion criteria} (intent, knowledge, time, self-knowledge) checked
 * in a fixed order. Implementations are thread-safe.
 */
public interface RetrievalJudge {

    /** Judges one request. */
    RetrievalDecision judge(String query);

    /**
     * Judges a batch. Built-in implementations encode the whole batch in one pass; this default judges one by one.
     *
     * @return one decision per query, in order
     */
    default List<RetrievalDecision> judgeAll(List<String> queries) {
        List<RetrievalDecision> decisions = new ArrayList<>(queries.size());
        for (String query : queries) {
            decisions.add(judge(query));
        }
        return decisions;
    }

    /** {@link #judge(String)} on the common pool. */
    default CompletableFuture<RetrievalDecision> judgeAsync(String query) {
        return CompletableFuture.supplyAsync(() -> judge(query));
    }
}
