package dev.reasoningsdk.api.aggregate;

import dev.reasoningsdk.api.Usage;
import java.util.List;
import java.util.Objects;

/**
 * A process reward: scores the newest step of a partial reasoning chain, so that a step-level search can spend its
 * budget on the partial chains whose steps so far look right (Lightman et al., 2023, "Let's Verify Step by Step";
 * the o1 roadmap's process reward model).
 *
 * <p>Built-in (in {@code reasoning-sdk-core}): {@code ArithmeticStepReward}, which re-computes the arithmetic a step
 * states. A learned head that reads a local model's hidden state at each step end implements the same interface.
 * Implementations are thread-safe.
 *
 * <p><b>Cost.</b> A reward that runs a model (a learned head's forward pass over the chain so far) says what each
 * score cost by overriding {@link #scoreStepWithUsage}, and a search adds that to its result's usage. The cost is per
 * call rather than a running total on the reward, so that searches sharing one reward on several threads each count
 * their own.
 */
public interface ProcessReward {

    /**
     * Scores the last of {@code steps}.
     *
     * @param question the question the chain answers
     * @param steps    the chain so far, one entry per step, in order (at least one); the texts are as the model
     *                 generated them, so a step may start with white space
     * @param complete whether the chain ended after the last step (the model stopped), so that a reward can check
     *                 the final answer against the steps before it
     * @return a reward in [0, 1]: 1 for a step with no sign of error, 0 for a step known to be wrong
     */
    double scoreStep(String question, List<String> steps, boolean complete);

    /**
     * {@link #scoreStep}, with what computing the reward cost. The default reports no cost ({@link Usage#NONE}):
     * right for a reward that reads only the text. A reward that runs a model overrides it and reports each forward
     * pass as a model call, the tokens the pass read as input tokens (never as generated tokens: a forward pass
     * generates none), a pass the model refused as a failed call, and the time of its passes.
     *
     * @throws IllegalStateException if {@link #scoreStep} returned a value outside [0, 1] (NaN included), naming
     *                               this reward
     */
    default StepScore scoreStepWithUsage(String question, List<String> steps, boolean complete) {
        double reward = scoreStep(question, steps, complete);
        if (!(reward >= 0 && reward <= 1)) {
            throw new IllegalStateException("process reward " + name() + " returned " + reward + ", outside [0, 1]");
        }
        return new StepScore(reward, Usage.NONE);
    }

    /** A short stable name, e.g. {@code "arithmetic"}, used in reports. */
    String name();

    /**
     * A step's reward and what computing it cost.
     *
     * @param reward the reward in [0, 1], as {@link #scoreStep} returns it
     * @param usage  model calls (forward passes), their input tokens and failed calls, and their wall time;
     *               {@link Usage#NONE} for a reward that runs no model
     */
    record StepScore(double reward, Usage usage) {
        /** @throws IllegalArgumentException if the reward is outside [0, 1] or NaN */
        public StepScore {
            if (!(reward >= 0 && reward <= 1)) {
                throw new IllegalArgumentException("reward must be in [0, 1], was " + reward);
            }
            Objects.requireNonNull(usage, "usage");
        }
    }
}
