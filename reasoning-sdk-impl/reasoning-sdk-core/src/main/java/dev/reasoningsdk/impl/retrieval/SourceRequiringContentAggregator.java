package dev.reasoningsdk.impl.retrieval;

import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.aggregator.ContentAggregator;
import dev.langchain4j.rag.content.aggregator.DefaultContentAggregator;
import dev.langchain4j.rag.query.Query;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link ContentAggregator} that refuses to let a request that needed retrieval reach the LLM without sources:
 * when at least one query was routed to retrievers and every retriever came back empty, it throws
 * {@link NoSourcesFoundException}, which propagates out of the AI service call before any chat model call is made.
 * A request the judge routed to no retriever passes through untouched. Aggregation itself is the delegate's
 * (default: LangChain4j's {@link DefaultContentAggregator}, reciprocal-rank fusion).
 *
 * <p>Use it with {@link RetrievalJudgeQueryRouter} in
 * {@code DefaultRetrievalAugmentor.builder().contentAggregator(...)} and catch the exception around the assistant call.
 * Thread-safe when the delegate is.
 */
public final class SourceRequiringContentAggregator implements ContentAggregator {

    private final ContentAggregator delegate;

    /** Over LangChain4j's default aggregator. */
    public SourceRequiringContentAggregator() {
        this(new DefaultContentAggregator());
    }

    /** Over {@code delegate}. */
    public SourceRequiringContentAggregator(ContentAggregator delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** @throws NoSourcesFoundException if retrieval ran for some query and found nothing for any */
    @Override
    public List<Content> aggregate(Map<Query, Collection<List<Content>>> queryToContents) {
        Query retrievedFor = null;
        boolean found = false;
        for (Map.Entry<Query, Collection<List<Content>>> entry : queryToContents.entrySet()) {
            if (!entry.getValue().isEmpty()) {
                retrievedFor = retrievedFor == null ? entry.getKey() : retrievedFor;
                found |= entry.getValue().stream().anyMatch(contents -> !contents.isEmpty());
            }
        }
        if (retrievedFor != null && !found) {
            throw new NoSourcesFoundException(retrievedFor.text(),
                    RetrievalJudgeQueryRouter.decisionOf(retrievedFor.metadata()).orElse(null));
        }
        return delegate.aggregate(queryToContents);
    }
}
