package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.ProcessReward;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A control-flow fake of a reward that runs a model: {@link ArithmeticStepReward}'s scores, each reported as one
 * forward pass that read {@link #TOKENS_PER_PASS} prompt tokens, and counted.
 */
final class CostlyStepReward implements ProcessReward {

    static final int TOKENS_PER_PASS = 7;

    final AtomicInteger passes = new AtomicInteger();
    private final ArithmeticStepReward arithmetic = ArithmeticStepReward.create();

    @Override
    public double scoreStep(String question, List<String> steps, boolean complete) {
        return arithmetic.scoreStep(question, steps, complete);
    }

    @Override
    public StepScore scoreStepWithUsage(String question, List<String> steps, boolean complete) {
        passes.incrementAndGet();
        return new StepScore(scoreStep(question, steps, complete),
                new Usage(0, 1, 0, TOKENS_PER_PASS, 0, Duration.ZERO));
    }

    @Override
    public String name() {
        return "costly";
    }
}
