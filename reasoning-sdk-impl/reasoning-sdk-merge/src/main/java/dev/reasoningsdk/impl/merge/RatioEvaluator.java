package dev.reasoningsdk.impl.merge;

/**
 * Scores one assignment of merge ratios (one per group, each the share of the base model): what the merged model
 * gained (the reward, e.g. the new behaviour) and what it kept (e.g. the original skill, one minus the alignment
 * tax). Implementations merge and measure; they may be slow, so searches count every call.
 */
@FunctionalInterface
public interface RatioEvaluator {

    /**
     * Scores a ratio vector.
     *
     * @param ratios the share of the base model per group, each in [0, 1]
     * @return the reward and the retained skill, each in [0, 1]
     */
    Scores evaluate(double[] ratios);

    /**
     * The two measurements of a merged model.
     *
     * @param reward   the gained behaviour, in [0, 1]
     * @param retained the kept skill (1 minus the tax), in [0, 1]
     */
    record Scores(double reward, double retained) {
        /** @throws IllegalArgumentException if a score is outside [0, 1] */
        public Scores {
            if (!(reward >= 0 && reward <= 1) || !(retained >= 0 && retained <= 1)) {
                throw new IllegalArgumentException("scores must be in [0, 1], were " + reward + ", " + retained);
            }
        }

        /** The smaller of the two: HMA's search maximises it, so neither skill is traded away entirely. */
        public double worst() {
            return Math.min(reward, retained);
        }

        /** Whether this is at least as good on both and better on one. */
        public boolean dominates(Scores other) {
            return reward >= other.reward && retained >= other.retained
                    && (reward > other.reward || retained > other.retained);
        }
    }
}
