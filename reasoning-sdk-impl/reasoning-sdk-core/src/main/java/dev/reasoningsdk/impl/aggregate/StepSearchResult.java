package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.AnswerGroup;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a {@link StepSearch}: the answer, the path of steps it came from, and what the search cost.
 *
 * @param method     {@code "step_search_beam"}, {@code "step_search_best_first"} or {@code "step_search_mcts"}
 * @param answer     the answer of the chosen chain; empty when no chain was finished or it stated no answer
 * @param path       the chosen chain's steps, in order, each with its process reward; the best partial chain when
 *                   none was finished
 * @param complete   whether the chosen chain was finished (the model ended it)
 * @param expansions how many times a partial chain was expanded (one expansion adds up to a step to each of its
 *                   children)
 * @param stopReason {@link StopReason#COMPLETED} (a finished chain won), {@link StopReason#BUDGET_EXHAUSTED} (the
 *                   token budget could not pay for another expansion, or over a gateway its call budget or deadline
 *                   was spent), {@link StopReason#CANCELLED} (over a gateway, a call was cancelled) or
 *                   {@link StopReason#NO_ANSWER} (every partial chain was expanded as often as allowed without a
 *                   finished chain winning)
 * @param usage      the whole search's cost: model calls, prompt and generated tokens (every token the model
 *                   generated in this run, those of discarded expansions included), failed calls, finished chains as
 *                   samples, wall time; the process reward's forward passes included ({@code rewardUsage}). A reply
 *                   the LM-call cache served is a cache hit, not a model call, and adds no tokens here
 *                   ({@link Usage}); its stored tokens are in {@code generatedTokens}
 * @param rewardUsage the process reward's share of {@code usage}: its forward passes as model calls, the tokens
 *                   they read as input tokens, no generated tokens, values it remembered from an earlier read as
 *                   cache hits; {@link Usage#NONE} for a reward that runs no model
 * @param contextCutOffs how many partial chains the search ended at the model's context, as a sampler reports a
 *                   chain cut off at its token limit ({@code SampleBatch.FailureKind.TRUNCATED}): the context filled
 *                   before a step ended (the text past the last step is dropped, its tokens counted), or a chain
 *                   filled it so that no step could follow. Such a chain is not finished: it never votes and is not
 *                   a sample, and it is not expanded again. A local model that counts its prompt tokens is not
 *                   called for a chain that fills its context; a served model is (its context is not known), and
 *                   the refusal, a failed call in {@code usage}, ends the chain
 * @param generatedTokens every token generated for the search, the figure its token budget bounds: the model's
 *                   generated tokens, those of dropped chains and of replies a gateway retried included, and a reply
 *                   the LM-call cache served counted with the tokens stored with it, as the budget counted it. So a
 *                   search replayed from the cache reports what its chains cost to generate when they were recorded,
 *                   while {@code usage} reports no generated tokens for them. Without cache hits it equals
 *                   {@code usage.outputTokens()}; a process reward's forward passes generate none
 * @param groups     the finished chains the answer was voted from, grouped by answer, the winner first: each chain
 *                   weighs {@code exp(-penalty)} ({@link dev.reasoningsdk.api.ReasoningChain#weight()}) and a group
 *                   scores its weight sum, as in a {@link WeightedVote}; empty when the search ended without a vote
 *                   (no chain finished) or no finished chain stated an answer
 * @param unparseableChains finished chains of the vote that stated no answer (they vote for nothing)
 */
public record StepSearchResult(String method, Optional<String> answer, List<Step> path, boolean complete,
                               int expansions, StopReason stopReason, Usage usage, Usage rewardUsage,
                               int contextCutOffs, long generatedTokens, List<AnswerGroup> groups,
                               int unparseableChains) {

    /**
     * @throws IllegalArgumentException if {@code expansions}, {@code contextCutOffs}, {@code generatedTokens} or
     *                                  {@code unparseableChains} is negative (a search counts every token it
     *                                  generated, so none is unknown), the reward's share holds more model calls or
     *                                  failed calls than the whole usage, or the answer is not the first group's
     */
    public StepSearchResult {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(answer, "answer");
        path = List.copyOf(path);
        groups = List.copyOf(groups);
        if (unparseableChains < 0) {
            throw new IllegalArgumentException("unparseableChains must be >= 0, was " + unparseableChains);
        }
        if (!groups.isEmpty() && !answer.equals(Optional.of(groups.get(0).answer()))) {
            throw new IllegalArgumentException("answer " + answer + " is not the first group's, "
                    + groups.get(0).answer());
        }
        Objects.requireNonNull(stopReason, "stopReason");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(rewardUsage, "rewardUsage");
        if (expansions < 0) {
            throw new IllegalArgumentException("expansions must be >= 0, was " + expansions);
        }
        if (contextCutOffs < 0) {
            throw new IllegalArgumentException("contextCutOffs must be >= 0, was " + contextCutOffs);
        }
        if (generatedTokens < 0) {
            throw new IllegalArgumentException("generatedTokens must be >= 0, was " + generatedTokens);
        }
        if (rewardUsage.modelCalls() > usage.modelCalls() || rewardUsage.failedCalls() > usage.failedCalls()) {
            throw new IllegalArgumentException("rewardUsage (" + rewardUsage.modelCalls() + " calls, "
                    + rewardUsage.failedCalls() + " failed) is not a share of usage (" + usage.modelCalls()
                    + " calls, " + usage.failedCalls() + " failed)");
        }
    }

    /**
     * A result without a vote ({@code groups} empty, {@code unparseableChains} 0).
     *
     * @throws IllegalArgumentException as the canonical constructor
     */
    public StepSearchResult(String method, Optional<String> answer, List<Step> path, boolean complete,
                            int expansions, StopReason stopReason, Usage usage, Usage rewardUsage,
                            int contextCutOffs, long generatedTokens) {
        this(method, answer, path, complete, expansions, stopReason, usage, rewardUsage, contextCutOffs,
                generatedTokens, List.of(), 0);
    }

    /**
     * A result without a vote, no reply of which the LM-call cache served: its generated tokens are the usage's
     * ({@code usage.outputTokens()}).
     *
     * @throws IllegalArgumentException as the canonical constructor, or if the usage does not know its generated
     *                                  tokens, or holds cache hits beyond the reward's (replies served from the
     *                                  cache, whose stored tokens the usage does not carry: give
     *                                  {@code generatedTokens})
     */
    public StepSearchResult(String method, Optional<String> answer, List<Step> path, boolean complete,
                            int expansions, StopReason stopReason, Usage usage, Usage rewardUsage,
                            int contextCutOffs) {
        this(method, answer, path, complete, expansions, stopReason, usage, rewardUsage, contextCutOffs,
                usageGeneratedTokens(usage, rewardUsage));
    }

    /** The generated tokens of a usage that holds them all: no reply served from the cache, none unknown. */
    private static long usageGeneratedTokens(Usage usage, Usage rewardUsage) {
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(rewardUsage, "rewardUsage");
        if (usage.outputTokens() == Usage.UNKNOWN_TOKENS) {
            throw new IllegalArgumentException("usage does not know its generated tokens: give generatedTokens");
        }
        if (usage.cacheHits() > rewardUsage.cacheHits()) {
            throw new IllegalArgumentException("usage holds " + (usage.cacheHits() - rewardUsage.cacheHits())
                    + " replies served from the cache, whose stored tokens it does not carry: give generatedTokens");
        }
        return usage.outputTokens();
    }

    /**
     * A result without chains cut off at the context ({@code contextCutOffs} 0), its generated tokens the usage's.
     *
     * @throws IllegalArgumentException as the constructor that reads the generated tokens from the usage
     */
    public StepSearchResult(String method, Optional<String> answer, List<Step> path, boolean complete,
                            int expansions, StopReason stopReason, Usage usage, Usage rewardUsage) {
        this(method, answer, path, complete, expansions, stopReason, usage, rewardUsage, 0);
    }

    /**
     * A result whose process reward cost nothing ({@code rewardUsage} {@link Usage#NONE}), without chains cut off at
     * the context, its generated tokens the usage's.
     *
     * @throws IllegalArgumentException as the constructor that reads the generated tokens from the usage
     */
    public StepSearchResult(String method, Optional<String> answer, List<Step> path, boolean complete,
                            int expansions, StopReason stopReason, Usage usage) {
        this(method, answer, path, complete, expansions, stopReason, usage, Usage.NONE);
    }

    /** The chosen chain's text: its steps joined as generated, stripped. */
    public String chain() {
        StringBuilder text = new StringBuilder();
        path.forEach(step -> text.append(step.text()));
        return text.toString().strip();
    }

    /**
     * This result as an {@link AggregationResult}, as {@link StepSearch#asAggregator()} returns it: the method, the
     * answer, the vote's groups and its margin (the winner's weight sum minus the runner-up's; the winner's alone when
     * one group voted; 0 without a vote), the stop reason, the unparseable chains and the usage. A result without
     * groups gives no answer, as an aggregation's answer is its first group's (a search without a vote has none), and
     * a search that {@link StopReason#COMPLETED completed} without one (its finished chains stated no answer) stops
     * with {@link StopReason#NO_ANSWER}, as every aggregation in which no chain had a parseable answer does. Its
     * {@link AggregationResult#generatedTokens()} are this result's {@link #generatedTokens()}: on a search replayed
     * from the LM-call cache the stored tokens, as every aggregation counts replayed replies, while the usage counts
     * none.
     */
    public AggregationResult toAggregationResult() {
        double margin = groups.isEmpty() ? 0
                : groups.size() == 1 ? groups.get(0).score() : groups.get(0).score() - groups.get(1).score();
        StopReason reason = groups.isEmpty() && stopReason == StopReason.COMPLETED ? StopReason.NO_ANSWER : stopReason;
        return new AggregationResult(method, groups.isEmpty() ? Optional.empty() : answer, groups, margin, reason,
                unparseableChains, usage, generatedTokens);
    }

    /**
     * One step of the chosen path.
     *
     * @param text   the step as generated (it may start with white space)
     * @param reward its process reward in [0, 1]
     */
    public record Step(String text, double reward) {
        /** @throws IllegalArgumentException if the reward lies outside [0, 1] */
        public Step {
            Objects.requireNonNull(text, "text");
            if (!(reward >= 0 && reward <= 1)) {
                throw new IllegalArgumentException("reward must be in [0, 1], was " + reward);
            }
        }
    }
}
