package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.aggregate.ProcessReward;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A process reward as a judge of finished chains: each chain is cut into steps where {@link StepSearch} cuts them (a
 * line's end, or a sentence's {@code .}, {@code !} or {@code ?} that white space follows), every step is scored by the
 * {@link ProcessReward} with the chain before it, the last step as the chain's end, and the chain scores
 * {@code 10 exp(-penalty)}, {@code penalty} the sum of {@code 1 - reward} over its steps: the weight step search's vote
 * gives a finished chain, on the 0-10 scale of every {@link ChainScorer}, so that a chain with no wrong step scores 10
 * and one with a wrong step 3.7. This is how Lightman et al. (2023, "Let's Verify Step by Step") rank whole solutions
 * by a process reward model, with step search's penalty in place of their product of step probabilities.
 *
 * <p>It plugs a process reward into {@link AggregationOfReasoning} as its scorer and into a scored
 * {@link WeightedVote} (the process-reward weighted vote that {@link StepSearch#asAggregator()} runs on chains it is
 * given). A chain without a step (blank) cannot be scored: its score is {@code NaN} and it counts as a failure. The
 * cost is the reward's own ({@link ProcessReward#scoreStepWithUsage}: a learned reward's forward passes, one per step;
 * none for {@link ArithmeticStepReward}) and the time spent scoring. The global comparison scores each representative
 * the same way. Thread-safe when the reward is.
 */
public final class ProcessRewardScorer implements ChainScorer {

    private final ProcessReward reward;

    private ProcessRewardScorer(ProcessReward reward) {
        this.reward = Objects.requireNonNull(reward, "reward");
    }

    /** A scorer that judges chains by {@code reward} over their steps. */
    public static ProcessRewardScorer of(ProcessReward reward) {
        return new ProcessRewardScorer(reward);
    }

    @Override
    public Scores scoreLocally(String question, List<ReasoningChain> chains, List<ScoredChain> references) {
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(references, "references");
        long start = System.nanoTime();
        List<Double> scores = new ArrayList<>(chains.size());
        Usage usage = Usage.NONE;
        int failures = 0;
        for (ReasoningChain chain : chains) {
            List<String> steps = StepSearch.steps(chain.text());
            if (steps.isEmpty()) {
                scores.add(Double.NaN);
                failures++;
                continue;
            }
            double penalty = 0;
            for (int i = 1; i <= steps.size(); i++) {
                ProcessReward.StepScore score = reward.scoreStepWithUsage(question, steps.subList(0, i),
                        i == steps.size());
                penalty += 1 - score.reward();
                usage = usage.plus(score.usage());
            }
            scores.add(10 * Math.exp(-penalty));
        }
        return new Scores(scores, failures, usage.withWallTime(Duration.ofNanos(System.nanoTime() - start)));
    }

    @Override
    public Scores scoreGlobally(String question, List<ReasoningChain> representatives) {
        return scoreLocally(question, representatives, List.of());
    }

    /** {@code "process-"} and the reward's name, e.g. {@code "process-arithmetic"}. */
    @Override
    public String name() {
        return "process-" + reward.name();
    }
}
