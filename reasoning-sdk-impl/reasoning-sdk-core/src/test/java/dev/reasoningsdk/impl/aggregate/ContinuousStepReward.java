package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.aggregate.ProcessReward;
import java.util.List;

/**
 * A control-flow fake of a continuous process reward, as a learned one gives: {@link ArithmeticStepReward}'s 1 and 0
 * become 0.9 and 0.1, so no step ever gets the full reward.
 */
final class ContinuousStepReward implements ProcessReward {

    private final ArithmeticStepReward arithmetic = ArithmeticStepReward.create();

    @Override
    public double scoreStep(String question, List<String> steps, boolean complete) {
        return 0.1 + 0.8 * arithmetic.scoreStep(question, steps, complete);
    }

    @Override
    public String name() {
        return "continuous";
    }
}
