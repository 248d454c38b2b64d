/**
 * Unified Active Retrieval (Cheng et al., 2024): {@link dev.reasoningsdk.impl.retrieval.UnifiedActiveRetrieval}
 * decides per request whether to retrieve from four criteria (intent, knowledge, time, self-knowledge) in a fixed
 * order. The criteria are linear heads over one shared sentence-encoder pass
 * ({@link dev.reasoningsdk.impl.retrieval.EncoderHeadCriterion}), transparent rules
 * ({@link dev.reasoningsdk.impl.retrieval.RuleCriterion}), a head on a local model's own hidden state
 * ({@link dev.reasoningsdk.impl.retrieval.HiddenStateSelfKnowledge}), sampling consistency of a remote model
 * ({@link dev.reasoningsdk.impl.retrieval.SamplingConsistencySelfKnowledge}) or a prompted LLM
 * ({@link dev.reasoningsdk.impl.retrieval.LlmPromptedCriterion}). {@link
 * dev.reasoningsdk.impl.retrieval.RetrievalJudgeQueryRouter} puts the judge into LangChain4j's RAG pipeline.
 */
package dev.reasoningsdk.impl.retrieval;
