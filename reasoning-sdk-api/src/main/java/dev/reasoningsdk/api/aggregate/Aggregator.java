package dev.reasoningsdk.api.aggregate;

import dev.reasoningsdk.api.ReasoningChain;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Picks one answer from several reasoning chains for the same question.
 *
 * <p>Two entry points: {@link #aggregate(String, List)} scores chains the caller already has (no sampling; an
 * implementation may still call a judge model), and {@link #solve(String)} lets the implementation sample chains
 * from its configured model, as many as its policy needs (AoR's dynamic sampling).
 *
 * <p>Built-in implementations (in {@code reasoning-sdk-impl}): majority vote (self-consistency), weighted vote
 * (caller weights or per-source reliability), Aggregation of Reasoning (Yin et al., 2024, "Aggregation of
 * Reasoning: A Hierarchical Framework for Enhancing Answer Selection in Large Language Models"), and step-level
 * search over reasoning steps with a process reward ({@code StepSearch.asAggregator()}).
 * Implementations are thread-safe.
 */
public interface Aggregator {

    /**
     * Aggregates the given chains without sampling more.
     *
     * @param question the question the chains answer (judges see it; votes ignore it)
     * @param chains   at least one chain
     * @return the chosen answer with per-group evidence and cost; {@link AggregationResult#answer()} is empty when
     *         no chain had a parseable answer
     * @throws IllegalArgumentException if {@code chains} is empty
     */
    AggregationResult aggregate(String question, List<ReasoningChain> chains);

    /**
     * Samples chains from the configured model and aggregates them.
     *
     * @throws IllegalStateException if this aggregator was built without a model to sample from
     * @throws dev.reasoningsdk.api.ReasoningException if no chain could be sampled at all
     */
    AggregationResult solve(String question);

    /**
     * {@link #solve(String)} asynchronously. The default runs {@code solve} on {@code CompletableFuture}'s default
     * executor (usually the common pool): cancelling the returned future does not stop it, nor a model call in flight.
     * Every built-in (the votes, AoR, step search's view {@code StepSearch.asAggregator()}) overrides it, running on
     * the same executor, so that cancelling the future, or completing it (e.g. with {@code orTimeout}), stops the run:
     * no model call starts after that; calls in flight over a model gateway (a {@code ChatModelSampler}'s samples, an
     * LLM judge's calls, AoR's or a weighted vote's, behind a decorator too, a served search's steps) are interrupted
     * and abandoned, also those of a batch the sampler was still starting when the future was ended; a local
     * model's generation in flight runs to its end, its result unused, as does another scorer's work in flight (a
     * likelihood scorer's, a learned verifier's). The cancelled future carries no result.
     */
    default CompletableFuture<AggregationResult> solveAsync(String question) {
        return CompletableFuture.supplyAsync(() -> solve(question));
    }

    /** A short stable name of the method, e.g. {@code "majority"} or {@code "aor"}, used in reports. */
    String name();
}
