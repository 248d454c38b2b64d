package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.RunStop;
import dev.reasoningsdk.impl.internal.Sampling;

import dev.reasoningsdk.impl.internal.AnswerGrouping;
import dev.reasoningsdk.impl.internal.SpentBefore;
import dev.reasoningsdk.impl.llm.CallScope;
import dev.reasoningsdk.api.BudgetExhaustedException;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.Aggregator;
import dev.reasoningsdk.api.aggregate.AnswerGroup;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.SampleBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aggregation of Reasoning (Yin et al., 2024, "Aggregation of Reasoning: A Hierarchical Framework for Enhancing
 * Answer Selection in Large Language Models", LREC-COLING 2024): the answer is chosen by judging the reasoning
 * chains behind each answer, not by counting them, so a right answer in the minority can win.
 *
 * <ol>
 *   <li><b>Sample and group.</b> {@code initialSamples} chains (default 20) are drawn and grouped by answer. If they
 *       all agree, that answer is returned at once without any judging ({@link StopReason#UNANIMOUS}).</li>
 *   <li><b>Local scoring.</b> Within each answer group, the {@link ChainScorer} scores chains in batches of
 *       {@code judgeBatchSize} (default 5). Chains scoring at least {@code scoreThreshold} (default 6 of 10) are
 *       kept and the best {@code representatives} (default 3) of each group represent it.</li>
 *   <li><b>Global evaluation.</b> In round {@code t}, the {@code t}-th representative of every group (wrapping
 *       round when a group has fewer) is compared in one scorer call; a group's score is its mean over the rounds,
 *       and the answer is the best-scoring group.</li>
 *   <li><b>Dynamic sampling.</b> While the winner leads the runner-up by less than {@code terminationMargin}
 *       (default 2 points) and fewer than {@code maxSamples} (default 40) chains were drawn, {@code additionalSamples}
 *       (default 5) more are drawn; only the new chains are scored locally, each group's best and worst scored
 *       chains shown as references, and the global phase is re-run only if some group's representatives changed.
 *       No more are drawn when no chain came back yet and the last draw's every sample was refused for good (a
 *       client error such as {@code context_length_exceeded}, or another failure the sampler does not retry, which
 *       the same request meets again): {@code solve} then throws at once, as when every draw failed.</li>
 * </ol>
 *
 * <p>Fixes of the reference code's flaws: judge scores are mapped to chains by chain number
 * ({@link LlmChainJudge}); no answer is ever dropped silently, since every group appears in the result, those that no
 * chain carried past the threshold with score 0 and no representatives (and when no group has a chain over the
 * threshold, each group's best scored chain represents it rather than the question going unanswered, unless some
 * group has no scored chain at all, e.g. its judge calls failed: nothing was held against it, so no group the judge
 * rated below the threshold wins over it, and the groups rank unjudged, as a vote ranks them); ties are
 * broken deterministically: higher score, then the larger sum of the chains' caller weights, then more votes, then
 * the answer seen first; and the sampling temperature must be stated with the sampler. Global rounds stop at the
 * largest representative count among the groups, since further rounds would only repeat comparisons; a single group
 * left after local scoring is scored by the mean local score of its representatives, without a global call.
 *
 * <p>{@link #aggregate(String, List)} runs the local and global phases on the caller's chains with no sampling.
 * A scorer that reads the question's other chains ({@link LearnedVerifier}) is given every chain drawn or passed so
 * far before each scoring.
 *
 * <p><b>Judge calls are bounded by default</b>: at most {@value #DEFAULT_JUDGE_CALLS_PER_CHAIN} judge model calls
 * (retries included) per chain the run may judge (the chains given to {@code aggregate}, or {@code maxSamples} for
 * {@code solve}); {@code maxJudgeCalls} sets another bound. A judge that keeps failing or hanging thus cannot run
 * away. With the {@link LlmChainJudge}, every judge call of one aggregation goes through one scope of the judge's
 * gateway with that call budget (and the gateway's deadline, if set), so the bound is exact and a judge call
 * still running at the deadline is abandoned; with other scorers the bound is checked before each scoring. A
 * spent bound stops the run with {@link StopReason#BUDGET_EXHAUSTED} and the best answer so far; the result's usage
 * counts the judge's failed calls by kind. Thread-safe when the scorer and sampler are.
 */
public final class AggregationOfReasoning implements Aggregator {

    /** Default judge model calls per chain the run may judge, retries included. */
    public static final int DEFAULT_JUDGE_CALLS_PER_CHAIN = 3;
    /** Default chains sampled before judging ({@link Builder#initialSamples}). */
    public static final int DEFAULT_INITIAL_SAMPLES = 20;
    /** Default local score of 10 a chain needs to represent its group ({@link Builder#scoreThreshold}). */
    public static final double DEFAULT_SCORE_THRESHOLD = 6;
    /** Default representatives per group in the global phase ({@link Builder#representatives}). */
    public static final int DEFAULT_REPRESENTATIVES = 3;
    /** Default lead in points at which dynamic sampling stops ({@link Builder#terminationMargin}). */
    public static final double DEFAULT_TERMINATION_MARGIN = 2;
    /** Default most chains sampled in all ({@link Builder#maxSamples}). */
    public static final int DEFAULT_MAX_SAMPLES = 40;
    /** Default chains sampled per round of dynamic sampling ({@link Builder#additionalSamples}). */
    public static final int DEFAULT_ADDITIONAL_SAMPLES = 5;

    private static final Logger LOG = LoggerFactory.getLogger(AggregationOfReasoning.class);

    private final ChainScorer scorer;
    private final AnswerExtractor extractor;
    private final Sampling sampling;
    private final int initialSamples;
    private final int judgeBatchSize;
    private final double scoreThreshold;
    private final int representatives;
    private final double terminationMargin;
    private final int maxSamples;
    private final int additionalSamples;
    private final Integer maxJudgeCalls;

    private AggregationOfReasoning(Builder builder) {
        this.scorer = builder.scorer;
        this.extractor = builder.extractor;
        this.sampling = builder.sampling();
        this.initialSamples = builder.initialSamples;
        this.judgeBatchSize = builder.judgeBatchSize;
        this.scoreThreshold = builder.scoreThreshold;
        this.representatives = builder.representatives;
        this.terminationMargin = builder.terminationMargin;
        this.maxSamples = builder.maxSamples;
        this.additionalSamples = builder.additionalSamples;
        this.maxJudgeCalls = builder.maxJudgeCalls;
    }

    /** A builder; the scorer and the answer extractor are required, a sampler only for {@link #solve(String)}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Judges the caller's chains (local and global phases); nothing is sampled.
     *
     * @throws IllegalArgumentException if {@code chains} is empty
     */
    @Override
    public AggregationResult aggregate(String question, List<ReasoningChain> chains) {
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(chains, "chains");
        if (chains.isEmpty()) {
            throw new IllegalArgumentException("chains must not be empty");
        }
        return new Run(question, false, judgeBound(chains.size()), RunStop.NONE).start(chains, Usage.NONE, 0);
    }

    /**
     * Samples {@code initialSamples} chains, judges them and samples more while the margin is small.
     *
     * @throws IllegalStateException     if built without a sampler
     * @throws BudgetExhaustedException if the sampler's budget ran out before one chain was sampled
     * @throws ReasoningException       if no chain could be sampled at all for another reason; either carries the
     *                                  sampler's usage
     */
    @Override
    public AggregationResult solve(String question) {
        return solve(question, RunStop.NONE);
    }

    /**
     * {@link #solve(String)} on {@code CompletableFuture}'s default executor. Cancelling the returned future, or
     * completing it (e.g. with {@code orTimeout}), stops the run: no sample or judge call starts after that; a batch in
     * flight from a sampler that can stop it ({@code ChatModelSampler}), one still being started included, is stopped
     * and an {@link LlmChainJudge}'s call in flight (behind a decorator too) is cancelled, their calls over the gateway
     * interrupted; a local model's generation in flight runs to its end.
     */
    @Override
    public CompletableFuture<AggregationResult> solveAsync(String question) {
        Objects.requireNonNull(question, "question");
        return RunStop.supplyAsync(stop -> solve(question, stop));
    }

    private AggregationResult solve(String question, RunStop stop) {
        Objects.requireNonNull(question, "question");
        if (sampling == null) {
            throw new IllegalStateException("aor was built without a sampler; use aggregate(question, chains)");
        }
        Run run = new Run(question, true, judgeBound(maxSamples), stop);
        Sampling.Draw draw = sampling.draw(question, initialSamples, 0, stop);
        run.drawn = initialSamples;
        run.samplerExhausted = draw.batch().stopReason() == StopReason.BUDGET_EXHAUSTED;
        run.failures.addAll(draw.batch().failures());
        run.refused = draw.refusedForGood();
        return run.start(draw.chains(), draw.batch().usage(), draw.generatedTokens());
    }

    /** {@code "aor"}. */
    @Override
    public String name() {
        return "aor";
    }

    /** The judge-call bound of a run that may judge {@code chains} chains. */
    private int judgeBound(int chains) {
        if (maxJudgeCalls != null) {
            return maxJudgeCalls;
        }
        long bound = (long) DEFAULT_JUDGE_CALLS_PER_CHAIN * chains;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, bound));
    }

    /** The state of one aggregation. */
    private final class Run {
        private final String question;
        private final boolean dynamic;
        private final long startNanos = System.nanoTime();
        private final AnswerGrouping grouping = new AnswerGrouping(extractor);
        private final Map<AnswerGrouping.Group, List<AnswerGrouping.Member>> reps = new LinkedHashMap<>();
        private final Map<AnswerGrouping.Group, Double> scores = new HashMap<>();
        private List<AnswerGrouping.Group> ranked = List.of();
        private Usage usage = Usage.NONE;
        /** {@link AggregationResult#generatedTokens()} so far: the draws' (replayed as recorded) and the judge's. */
        private long generatedTokens;
        private final int judgeBound;
        /** The scorer of this run: the LLM judge bound to the run's scope, or the scorer as given. */
        private final ChainScorer judge;
        /** The run's scope of the LLM judge's gateway, or null for another scorer. */
        private final CallScope judgeScope;
        private int judgeCalls;
        /** Every chain of the question so far: a scorer that reads the other chains is bound to them. */
        private final List<ReasoningChain> seen = new ArrayList<>();
        private ChainScorer bound;
        private int drawn;
        private boolean samplerExhausted;
        /** Every draw's failed samples, for the exception when no chain came back: it says how many failed. */
        private final List<SampleBatch.SampleFailure> failures = new ArrayList<>();
        /**
         * Whether the last draw's every sample was refused for good ({@link Sampling.Draw#refusedForGood()}): with no
         * chain so far, drawing the same request again cannot help, so the run stops drawing.
         */
        private boolean refused;
        private boolean judgeExhausted;
        /** Stops the run when its caller ends it: checked before each draw and each judge call. */
        private final RunStop stop;

        Run(String question, boolean dynamic, int judgeBound, RunStop stop) {
            this.question = question;
            this.dynamic = dynamic;
            this.judgeBound = judgeBound;
            this.stop = stop;
            if (scorer instanceof LlmChainJudge llmJudge) {
                var gateway = llmJudge.gateway();
                int calls = Math.min(judgeBound, gateway.budget().maxCalls());
                this.judgeScope = gateway.session(gateway.budget().withMaxCalls(calls));
                // Opened on the run's thread, the scope is bound to the run's stop (RunStop.current()).
                this.judge = llmJudge.within(judgeScope);
            } else {
                this.judgeScope = null;
                this.judge = scorer;
            }
        }

        /** {@code sampledTokens}: what the chains cost to generate, replayed ones as recorded. */
        AggregationResult start(List<ReasoningChain> chains, Usage samplingCost, long sampledTokens) {
            usage = usage.plus(samplingCost);
            generatedTokens = Usage.addTokens(generatedTokens, sampledTokens);
            List<AnswerGrouping.Member> added = grouping.addAll(chains);
            seen.addAll(chains);
            if (grouping.groups().size() == 1) {
                AnswerGrouping.Group only = grouping.groups().get(0);
                scores.put(only, 10.0);
                ranked = List.of(only);
                return finish(StopReason.UNANIMOUS, 10.0);
            }
            if (!grouping.groups().isEmpty()) {
                scoreLocally(added);
                if (updateRepresentatives()) {
                    evaluateGlobally();
                }
            }
            while (dynamic && margin() < terminationMargin && drawn < maxSamples && !exhausted()
                    && !(refused && grouping.chainCount() == 0)) {
                int count = Math.min(additionalSamples, maxSamples - drawn);
                Sampling.Draw draw = sampling.draw(question, count, drawn, stop);
                drawn += count;
                usage = usage.plus(draw.batch().usage());
                generatedTokens = Usage.addTokens(generatedTokens, draw.generatedTokens());
                samplerExhausted = draw.batch().stopReason() == StopReason.BUDGET_EXHAUSTED;
                failures.addAll(draw.batch().failures());
                refused = draw.refusedForGood();
                List<AnswerGrouping.Member> fresh = grouping.addAll(draw.chains());
                seen.addAll(draw.chains());
                bound = null;
                scoreLocally(fresh);
                if (updateRepresentatives()) {
                    evaluateGlobally();
                }
            }
            if (dynamic && grouping.chainCount() == 0) {
                throw Sampling.noChainSampled(sampling.sampler().name() + " in " + drawn + " attempts",
                        Sampling.failureSummary(failures),
                        samplerExhausted, usage.withWallTime(Duration.ofNanos(System.nanoTime() - startNanos)));
            }
            if (grouping.groups().isEmpty()) {
                return finish(StopReason.NO_ANSWER, 0);
            }
            double margin = margin();
            StopReason reason;
            if (margin >= terminationMargin) {
                reason = StopReason.MARGIN_REACHED;
            } else if (exhausted()) {
                reason = StopReason.BUDGET_EXHAUSTED;
            } else if (!dynamic) {
                reason = StopReason.GIVEN_CHAINS_ONLY;
            } else {
                reason = StopReason.MAX_SAMPLES_REACHED;
            }
            return finish(reason, margin);
        }

        /** The run's scorer, bound to the question's chains when it reads them (the learned verifier). */
        private ChainScorer scorer() {
            if (bound == null) {
                bound = judge.amongChains(seen);
            }
            return bound;
        }

        private boolean exhausted() {
            return samplerExhausted || judgeExhausted;
        }

        /** Scores new members group by group, in batches, with references from the group's scored chains. */
        private void scoreLocally(List<AnswerGrouping.Member> fresh) {
            Map<AnswerGrouping.Group, List<AnswerGrouping.Member>> byGroup = new LinkedHashMap<>();
            for (AnswerGrouping.Member member : fresh) {
                byGroup.computeIfAbsent(member.group(), g -> new ArrayList<>()).add(member);
            }
            for (Map.Entry<AnswerGrouping.Group, List<AnswerGrouping.Member>> entry : byGroup.entrySet()) {
                List<ScoredChain> references = references(entry.getKey());
                List<AnswerGrouping.Member> members = entry.getValue();
                for (int from = 0; from < members.size(); from += judgeBatchSize) {
                    List<AnswerGrouping.Member> batch = members.subList(from, Math.min(members.size(),
                            from + judgeBatchSize));
                    Optional<ChainScorer.Scores> result = judge(() -> scorer().scoreLocally(question,
                            batch.stream().map(m -> m.chain()).toList(), references));
                    if (result.isEmpty()) {
                        return;
                    }
                    for (int i = 0; i < batch.size(); i++) {
                        batch.get(i).localScore(scoreAt(result.get(), i));
                    }
                }
            }
        }

        /** The group's best and (when it scored lower) worst scored chains, best first; empty when none is scored. */
        private List<ScoredChain> references(AnswerGrouping.Group group) {
            List<AnswerGrouping.Member> scored = group.members().stream().filter(m -> !Double.isNaN(m.localScore()))
                    .sorted(byScore()).toList();
            if (scored.isEmpty()) {
                return List.of();
            }
            AnswerGrouping.Member best = scored.get(0);
            AnswerGrouping.Member worst = scored.get(scored.size() - 1);
            // A "lower-scoring" reference that scored the same as the best would only confuse the judge.
            return worst.localScore() >= best.localScore() ? List.of(best.toScoredChain())
                    : List.of(best.toScoredChain(), worst.toScoredChain());
        }

        /** Re-selects every group's representatives; returns whether any changed. */
        private boolean updateRepresentatives() {
            boolean changed = false;
            for (AnswerGrouping.Group group : grouping.groups()) {
                List<AnswerGrouping.Member> selected = group.members().stream()
                        .filter(m -> m.localScore() >= scoreThreshold).sorted(byScore()).limit(representatives)
                        .toList();
                List<AnswerGrouping.Member> previous = reps.getOrDefault(group, List.of());
                if (!selected.equals(previous)) {
                    changed = true;
                    if (selected.isEmpty()) {
                        reps.remove(group);
                    } else {
                        reps.put(group, selected);
                    }
                }
            }
            if (reps.isEmpty() && !grouping.groups().isEmpty() && grouping.groups().stream().allMatch(this::scored)) {
                // AoR would drop every answer here; rather than leave the question unanswered, each group's best
                // scored chain represents it. Not while some group has no scored chain (its judge calls failed, or
                // the scorer could not read its chains): nothing was held against that group, so a group judged
                // below the threshold must not win over it; the groups stay unjudged and rank as a vote does.
                for (AnswerGrouping.Group group : grouping.groups()) {
                    group.members().stream().filter(m -> !Double.isNaN(m.localScore())).min(byScore())
                            .ifPresent(best -> reps.put(group, List.of(best)));
                }
                changed |= !reps.isEmpty();
                if (!reps.isEmpty()) {
                    LOG.debug("no chain reached the threshold {}; best chains represent their groups", scoreThreshold);
                }
            }
            return changed;
        }

        /** Whether the scorer gave some chain of {@code group} a score. */
        private boolean scored(AnswerGrouping.Group group) {
            return group.members().stream().anyMatch(m -> !Double.isNaN(m.localScore()));
        }

        private void evaluateGlobally() {
            List<AnswerGrouping.Group> candidates = new ArrayList<>(reps.keySet());
            scores.clear();
            if (candidates.size() == 1) {
                AnswerGrouping.Group only = candidates.get(0);
                scores.put(only, reps.get(only).stream().mapToDouble(m -> m.localScore()).average().orElse(0));
            } else if (candidates.size() > 1) {
                int rounds = candidates.stream().mapToInt(g -> reps.get(g).size()).max().orElse(0);
                Map<AnswerGrouping.Group, double[]> sums = new HashMap<>();
                for (int round = 0; round < rounds && !judgeExhausted; round++) {
                    final int t = round;
                    List<ReasoningChain> compared = candidates.stream()
                            .map(g -> reps.get(g).get(t % reps.get(g).size()).chain()).toList();
                    Optional<ChainScorer.Scores> result = judge(() -> scorer().scoreGlobally(question, compared));
                    if (result.isEmpty()) {
                        break;
                    }
                    for (int i = 0; i < candidates.size(); i++) {
                        double score = scoreAt(result.get(), i);
                        if (!Double.isNaN(score)) {
                            double[] sum = sums.computeIfAbsent(candidates.get(i), g -> new double[2]);
                            sum[0] += score;
                            sum[1]++;
                        }
                    }
                }
                for (AnswerGrouping.Group group : candidates) {
                    double[] sum = sums.get(group);
                    scores.put(group, sum == null ? 0 : sum[0] / sum[1]);
                }
            }
            rank();
        }

        private void rank() {
            List<AnswerGrouping.Group> order = new ArrayList<>(grouping.groups());
            order.sort(Comparator.<AnswerGrouping.Group>comparingInt(g -> scores.containsKey(g) ? 0 : 1)
                    .thenComparingDouble(g -> -scores.getOrDefault(g, 0.0))
                    .thenComparingDouble(g -> -g.weightSum())
                    .thenComparingInt(g -> -g.members().size())
                    .thenComparingInt(g -> g.order()));
            ranked = order;
        }

        /** The winner's lead over the runner-up among judged groups; the winner's score when it is alone. */
        private double margin() {
            if (scores.isEmpty() || ranked.isEmpty()) {
                return Double.NEGATIVE_INFINITY;
            }
            double first = scores.get(ranked.get(0));
            return ranked.size() > 1 && scores.containsKey(ranked.get(1)) ? first - scores.get(ranked.get(1)) : first;
        }

        private Optional<ChainScorer.Scores> judge(java.util.function.Supplier<ChainScorer.Scores> call) {
            stop.check();
            if (judgeCalls >= judgeBound || (judgeScope != null && judgeScope.isExhausted())) {
                judgeExhausted = true;
                return Optional.empty();
            }
            // The run's sampling and earlier judging were paid for even when the scorer refuses the chains.
            ChainScorer.Scores result = SpentBefore.addedToRefusal(
                    usage.withWallTime(Duration.ofNanos(System.nanoTime() - startNanos)), call);
            usage = usage.plus(result.usage());
            generatedTokens = Usage.addTokens(generatedTokens, result.usage().outputTokens());
            judgeCalls += result.usage().modelCalls();
            if (judgeScope != null && judgeScope.isExhausted()) {
                LOG.debug("aor: the judge's budget ran out after {} calls", judgeCalls);
                judgeExhausted = true;
            }
            return Optional.of(result);
        }

        private AggregationResult finish(StopReason reason, double margin) {
            rank();
            List<AnswerGroup> groups = new ArrayList<>();
            for (AnswerGrouping.Group group : ranked) {
                List<ScoredChain> chains = group.members().stream().map(AnswerGrouping.Member::toScoredChain).toList();
                List<Integer> representativeIndexes = reps.getOrDefault(group, List.of()).stream()
                        .map(group.members()::indexOf).toList();
                groups.add(new AnswerGroup(group.answer(), chains, scores.getOrDefault(group, 0.0),
                        representativeIndexes));
            }
            Optional<String> answer = groups.isEmpty() ? Optional.empty() : Optional.of(groups.get(0).answer());
            Usage total = usage.withWallTime(Duration.ofNanos(System.nanoTime() - startNanos));
            double reported = Double.isInfinite(margin) ? 0 : margin;
            return new AggregationResult(name(), answer, groups, reported, reason, grouping.unparseable(), total,
                    generatedTokens);
        }
    }

    private static double scoreAt(ChainScorer.Scores scores, int index) {
        return index < scores.scores().size() ? scores.scores().get(index) : Double.NaN;
    }

    private static Comparator<AnswerGrouping.Member> byScore() {
        return Comparator.<AnswerGrouping.Member>comparingDouble(m -> -m.localScore()).thenComparingInt(m -> m.index());
    }

    /** Builds an {@link AggregationOfReasoning}. Not thread-safe. */
    public static final class Builder extends SamplingBuilder<Builder> {
        private ChainScorer scorer;
        private int initialSamples = DEFAULT_INITIAL_SAMPLES;
        private int judgeBatchSize = 5;
        private double scoreThreshold = DEFAULT_SCORE_THRESHOLD;
        private int representatives = DEFAULT_REPRESENTATIVES;
        private double terminationMargin = DEFAULT_TERMINATION_MARGIN;
        private int maxSamples = DEFAULT_MAX_SAMPLES;
        private int additionalSamples = DEFAULT_ADDITIONAL_SAMPLES;
        private Integer maxJudgeCalls;

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /** The judge of the local and global phases (required). */
        public Builder scorer(ChainScorer scorer) {
            this.scorer = Objects.requireNonNull(scorer, "scorer");
            return this;
        }

        /**
         * Chains sampled before judging (default {@value AggregationOfReasoning#DEFAULT_INITIAL_SAMPLES}).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder initialSamples(int initialSamples) {
            this.initialSamples = Arguments.atLeast(initialSamples, 1, "initialSamples");
            return this;
        }

        /**
         * Chains per local scoring call (default 5).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder judgeBatchSize(int judgeBatchSize) {
            this.judgeBatchSize = Arguments.atLeast(judgeBatchSize, 1, "judgeBatchSize");
            return this;
        }

        /**
         * The local score a chain needs to represent its group (default
         * {@value AggregationOfReasoning#DEFAULT_SCORE_THRESHOLD}).
         *
         * @throws IllegalArgumentException if outside [0, 10]
         */
        public Builder scoreThreshold(double scoreThreshold) {
            if (!(scoreThreshold >= 0 && scoreThreshold <= 10)) {
                throw new IllegalArgumentException("scoreThreshold must be in [0, 10], was " + scoreThreshold);
            }
            this.scoreThreshold = scoreThreshold;
            return this;
        }

        /**
         * Representatives per group in the global phase (default
         * {@value AggregationOfReasoning#DEFAULT_REPRESENTATIVES}).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder representatives(int representatives) {
            this.representatives = Arguments.atLeast(representatives, 1, "representatives");
            return this;
        }

        /**
         * The lead in points at which sampling stops (default
         * {@value AggregationOfReasoning#DEFAULT_TERMINATION_MARGIN}).
         *
         * @throws IllegalArgumentException if negative or not finite
         */
        public Builder terminationMargin(double terminationMargin) {
            if (!(terminationMargin >= 0) || Double.isInfinite(terminationMargin)) {
                throw new IllegalArgumentException("terminationMargin must be finite and >= 0, was "
                        + terminationMargin);
            }
            this.terminationMargin = terminationMargin;
            return this;
        }

        /**
         * The most chains sampled in all (default {@value AggregationOfReasoning#DEFAULT_MAX_SAMPLES}).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxSamples(int maxSamples) {
            this.maxSamples = Arguments.atLeast(maxSamples, 1, "maxSamples");
            return this;
        }

        /**
         * Chains sampled per round of dynamic sampling (default
         * {@value AggregationOfReasoning#DEFAULT_ADDITIONAL_SAMPLES}).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder additionalSamples(int additionalSamples) {
            this.additionalSamples = Arguments.atLeast(additionalSamples, 1, "additionalSamples");
            return this;
        }

        /**
         * The most judge model calls per question, retries included (default
         * {@value AggregationOfReasoning#DEFAULT_JUDGE_CALLS_PER_CHAIN} per chain the run may judge; see the class
         * description).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxJudgeCalls(int maxJudgeCalls) {
            this.maxJudgeCalls = Arguments.atLeast(maxJudgeCalls, 1, "maxJudgeCalls");
            return this;
        }

        /**
         * @throws IllegalStateException if the scorer or extractor is missing, or initialSamples exceeds maxSamples
         */
        public AggregationOfReasoning build() {
            if (scorer == null) {
                throw new IllegalStateException("a chain scorer is required");
            }
            requireExtractor();
            if (initialSamples > maxSamples) {
                throw new IllegalStateException("initialSamples (" + initialSamples + ") > maxSamples ("
                        + maxSamples + ")");
            }
            return new AggregationOfReasoning(this);
        }
    }
}
