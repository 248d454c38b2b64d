package dev.reasoningsdk.impl.retrieval;

/**
 * How a rule's probability and a head's probability are combined into one. Rules only ever add evidence that the
 * criterion holds, so both combinations are at least the head's probability.
 */
public enum Combination {
    /** The larger of the two: a matched rule sets a floor under the head. */
    MAX {
        @Override
        double combine(double rule, double head) {
            return Math.max(rule, head);
        }
    },
    /**
     * {@code 1 - (1 - rule)(1 - head)}: the two as independent pieces of evidence, so a matched rule and a confident
     * head reinforce each other.
     */
    NOISY_OR {
        @Override
        double combine(double rule, double head) {
            return 1 - (1 - rule) * (1 - head);
        }
    };

    /** The combined probability. */
    abstract double combine(double rule, double head);
}
