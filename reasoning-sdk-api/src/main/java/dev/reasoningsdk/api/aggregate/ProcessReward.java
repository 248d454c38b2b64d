package dev.reasoningsdk.api.aggregate;

import java.util.List;

/**
 * A process reward: scores the newest step of a partial reasoning chain, so that a step-level search can spend its
 * budget on the partial chains whose steps so far look right (Lightman et al., 2023, "Let's Verify Step by Step";
 * the o1 roadmap's process reward model).
 *
 * <p>Built-in (in {@code reasoning-sdk-core}): {@code ArithmeticStepReward}, which re-computes the arithmetic a step
 * states. A learned head that reads a local model's hidden state at each step end implements the same interface.
 * Implementations are thread-safe.
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

    /** A short stable name, e.g. {@code "arithmetic"}, used in reports. */
    String name();
}
