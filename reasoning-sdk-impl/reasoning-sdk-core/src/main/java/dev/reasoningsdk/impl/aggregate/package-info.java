/**
 * Answer aggregation: {@link dev.reasoningsdk.impl.aggregate.MajorityVote} (self-consistency),
 * {@link dev.reasoningsdk.impl.aggregate.WeightedVote} with {@link dev.reasoningsdk.impl.aggregate.SourceReliability}
 * (an unsupervised Dawid-Skene estimate of per-source accuracy), and
 * {@link dev.reasoningsdk.impl.aggregate.AggregationOfReasoning} with three
 * {@link dev.reasoningsdk.api.aggregate.ChainScorer} judges: {@link dev.reasoningsdk.impl.aggregate.LlmChainJudge},
 * {@link dev.reasoningsdk.impl.aggregate.LikelihoodChainScorer},
 * {@link dev.reasoningsdk.impl.aggregate.ArithmeticVerifier} and the trained
 * {@link dev.reasoningsdk.impl.aggregate.LearnedVerifier}.
 *
 * <p>Every aggregator groups answers with an {@link dev.reasoningsdk.api.model.AnswerExtractor}: an answer joins the
 * first group (in the order the chains were given or sampled) whose answer it is
 * {@link dev.reasoningsdk.api.model.AnswerExtractor#equivalent equivalent} to, and a group is named by its first
 * answer. Ties are always broken the same documented way, so results never depend on hash order.
 */
package dev.reasoningsdk.impl.aggregate;
