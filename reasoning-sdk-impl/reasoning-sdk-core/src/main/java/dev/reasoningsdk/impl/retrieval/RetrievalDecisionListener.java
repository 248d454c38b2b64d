package dev.reasoningsdk.impl.retrieval;

import dev.langchain4j.rag.query.Query;
import dev.reasoningsdk.api.retrieval.RetrievalDecision;

/**
 * Told of every decision {@link RetrievalJudgeQueryRouter} makes, on the thread that routed the query, so an
 * application can log it, show it, or act on it. Implementations must be thread-safe and fast.
 */
@FunctionalInterface
public interface RetrievalDecisionListener {

    /** Called once per routed query, before the retrievers run. */
    void onDecision(Query query, RetrievalDecision decision);
}
