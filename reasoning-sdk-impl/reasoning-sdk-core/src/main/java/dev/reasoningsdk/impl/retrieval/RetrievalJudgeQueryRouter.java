package dev.reasoningsdk.impl.retrieval;

import dev.langchain4j.invocation.InvocationParameters;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.query.Metadata;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.rag.query.router.QueryRouter;
import dev.reasoningsdk.api.retrieval.RetrievalDecision;
import dev.reasoningsdk.api.retrieval.RetrievalJudge;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A LangChain4j {@link QueryRouter} that asks a {@link RetrievalJudge} (e.g. {@link UnifiedActiveRetrieval})
 * whether a query needs retrieval, and routes it to the configured retrievers only when it does, to none otherwise.
 * Drop it into {@code DefaultRetrievalAugmentor.builder().queryRouter(...)}.
 *
 * <p>The decision reaches the application two ways: every {@link Builder#listener listener} is told of it, and when
 * the query carries LangChain4j {@link InvocationParameters} (an AI service method with an
 * {@code InvocationParameters} argument) the decision is stored there under {@link #DECISION_PARAMETER}, where
 * {@link SourceRequiringContentAggregator} and the caller can read it with {@link #decisionOf}.
 *
 * <p>Immutable and thread-safe when its judge, retrievers and listeners are.
 */
public final class RetrievalJudgeQueryRouter implements QueryRouter {

    /** The {@link InvocationParameters} key under which the decision is stored. */
    public static final String DECISION_PARAMETER = "reasoningsdk.retrievalDecision";

    private final RetrievalJudge judge;
    private final List<ContentRetriever> retrievers;
    private final List<RetrievalDecisionListener> listeners;

    private RetrievalJudgeQueryRouter(Builder builder) {
        this.judge = builder.judge;
        this.retrievers = List.copyOf(builder.retrievers);
        this.listeners = List.copyOf(builder.listeners);
    }

    /** A builder; a judge and at least one retriever are required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Collection<ContentRetriever> route(Query query) {
        Objects.requireNonNull(query, "query");
        RetrievalDecision decision = judge.judge(query.text());
        invocationParameters(query.metadata()).ifPresent(parameters -> parameters.put(DECISION_PARAMETER, decision));
        for (RetrievalDecisionListener listener : listeners) {
            listener.onDecision(query, decision);
        }
        return decision.retrieve() ? retrievers : List.of();
    }

    /** The decision stored in a query's or request's invocation parameters by this router, if any. */
    public static Optional<RetrievalDecision> decisionOf(Metadata metadata) {
        return invocationParameters(metadata)
                .map(parameters -> parameters.get(DECISION_PARAMETER))
                .filter(RetrievalDecision.class::isInstance)
                .map(RetrievalDecision.class::cast);
    }

    private static Optional<InvocationParameters> invocationParameters(Metadata metadata) {
        if (metadata == null || metadata.invocationContext() == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(metadata.invocationParameters());
    }

    /** Builds a {@link RetrievalJudgeQueryRouter}. */
    public static final class Builder {
        private RetrievalJudge judge;
        private final List<ContentRetriever> retrievers = new ArrayList<>();
        private final List<RetrievalDecisionListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /** The judge (required). */
        public Builder judge(RetrievalJudge judge) {
            this.judge = Objects.requireNonNull(judge, "judge");
            return this;
        }

        /** Adds a retriever used when the judge says retrieve. */
        public Builder retriever(ContentRetriever retriever) {
            retrievers.add(Objects.requireNonNull(retriever, "retriever"));
            return this;
        }

        /** Adds a listener told of every decision. */
        public Builder listener(RetrievalDecisionListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * The router.
         *
         * @throws IllegalStateException if the judge or every retriever is missing
         */
        public RetrievalJudgeQueryRouter build() {
            if (judge == null) {
                throw new IllegalStateException("a judge is required");
            }
            if (retrievers.isEmpty()) {
                throw new IllegalStateException("at least one retriever is required");
            }
            return new RetrievalJudgeQueryRouter(this);
        }
    }
}
