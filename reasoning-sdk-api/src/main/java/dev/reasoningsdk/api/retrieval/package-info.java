/**
 * Deciding whether a request needs retrieval: {@link dev.reasoningsdk.api.retrieval.RetrievalJudge} and the
 * {@link dev.reasoningsdk.api.retrieval.Criterion} SPI of Unified Active Retrieval.
 */
package dev.reasoningsdk.api.retrieval;
