/**
 * The reasoning-sdk API: five small interfaces, one package each, and the value types they share.
 *
 * <ul>
 *   <li>{@link dev.reasoningsdk.api.aggregate.Aggregator}: pick an answer from several reasoning chains
 *       (Aggregation of Reasoning, majority and weighted votes);</li>
 *   <li>{@link dev.reasoningsdk.api.retrieval.RetrievalJudge}: decide whether a request needs retrieval
 *       (Unified Active Retrieval);</li>
 *   <li>{@link dev.reasoningsdk.api.confidence.ConfidenceEstimator}: a calibrated confidence and a rationale;</li>
 *   <li>{@link dev.reasoningsdk.api.prompt.PromptOptimizer}: gradient-free prompt search;</li>
 *   <li>{@link dev.reasoningsdk.api.merge.ModelMerger}: merge model checkpoints.</li>
 * </ul>
 *
 * <p>This module depends on nothing but the JDK. Every value type is immutable; every interface is thread-safe in
 * its implementations unless a name says otherwise. No method accepts or returns {@code null}: absent values are
 * {@link java.util.Optional}. Every result carries its cost as a {@link dev.reasoningsdk.api.Usage}.
 */
package dev.reasoningsdk.api;
